import DatasetDomain
import Foundation
import JSON
import ServiceKit

/// The checks a validation can run (dataset_quality_logs.check_type).
enum CheckKind: String, CaseIterable, Sendable {
    case pii = "pii_detection"
    case exactDuplicates = "duplicate_check"
    case nearDuplicates = "near_duplicate_check"
    case quality = "quality_score"
    case toxicity = "toxicity_check"

    /// The request's short names.
    static func parse(_ name: String) -> CheckKind? {
        switch name {
        case "pii", "pii_detection": return .pii
        case "exact_duplicates", "duplicate_check", "duplicates": return .exactDuplicates
        case "near_duplicates", "near_duplicate_check": return .nearDuplicates
        case "quality", "quality_score": return .quality
        case "toxicity", "toxicity_check", "bias": return .toxicity
        default: return nil
        }
    }
}

struct ValidationPlan: Sendable {
    var checks: Set<CheckKind>
    var maskPII: Bool
    var removeDuplicates: Bool
    var minScore: Double?
    var nearThreshold: Double
    var permutations: Int
    var shingleSize: Int
    var extraTerms: [String: [String]]

    /// Whether the run may produce a derived version.
    var transforms: Bool {
        (maskPII && checks.contains(.pii)) || (removeDuplicates && (checks.contains(.exactDuplicates) || checks.contains(.nearDuplicates))) || minScore != nil
    }

    var parametersJSON: String {
        var parameters: [String: JSONValue] = [
            "checks": .strings(checks.map(\.rawValue).sorted()),
            "mask_pii": .bool(maskPII), "remove_duplicates": .bool(removeDuplicates),
            "near_duplicate_threshold": .double(nearThreshold), "minhash_permutations": .integer(permutations), "shingle_size": .integer(shingleSize),
        ]
        if let minScore { parameters["min_score"] = .double(minScore) }
        return JSONValue(object: parameters).serialized
    }
}

/// What a validation found: one entry per check, the statistics of the
/// source and (when anything changed) the derived version's file.
struct ValidationResult: @unchecked Sendable {
    struct Check {
        var kind: CheckKind
        var passed: Bool
        var issuesJSON: String
    }
    var checks: [Check]
    var sourceStatsJSON: String
    var sourceQuality: Double?
    var derived: VersionWriter?
    var derivedStatsJSON: String
    var derivedQuality: Double?
    var changed: Bool
    var seconds: Double
}

/// Unicode scalars and estimated tokens of a sample.
struct SampleSize {
    var chars = 0
    var tokens = 0

    init() {}

    init(_ sample: ChatSample) {
        for message in sample.messages {
            let measured = TokenEstimator.measure(message.content)
            chars += measured.scalars
            tokens += measured.tokens
        }
    }
}

/// Everything computed per sample in parallel (workers own their inputs).
struct SampleFacts {
    var original: ChatSample
    var masked: ChatSample?
    var pii: [PIIFinding]
    var exactKey: ExactDuplicateKey?
    var signature: MinHashSignature?
    var quality: QualityScore?
    var lexicon: [LexiconHit]
    var line: Int
    /// Size of the original and (when masked) the stored sample, measured by the worker.
    var size: SampleSize = SampleSize()
    var storedSize: SampleSize?
    /// The canonical line the derived version gets, encoded by the worker.
    var encoded: [UInt8] = []

    var stored: ChatSample { masked ?? original }
}

/// Runs every requested check over a stored version in one streaming pass:
/// batches of ~4 MiB are parsed and analysed (PII, hashes, MinHash, quality,
/// lexicon) on all cores; order-dependent decisions (which duplicate is kept,
/// statistics, the derived file) are then taken sequentially in input order,
/// so the result does not depend on thread timing.
struct Validation {
    static let maxIssues = 1000
    let plan: ValidationPlan
    let workers: Int

    func run(reader: VersionReader, blobs: BlobStore, key: DataKey) throws -> ValidationResult {
        let started = ContinuousClock.now
        let scanner = PIIScanner()
        let hasher = MinHasher(numPermutations: plan.permutations, shingleSize: plan.shingleSize)
        let scorer = QualityScorer()
        let lexicon = ToxicityLexicon(extraTerms: plan.extraTerms)
        let plan = self.plan

        var exact = ExactDuplicateFinder<String>()
        var near = NearDuplicateFinder<String>(threshold: plan.nearThreshold, numPermutations: plan.permutations)
        var sourceStats = DatasetStatsAccumulator()
        var derivedStats = DatasetStatsAccumulator()
        var qualitySource = QualitySummary(minScore: plan.minScore)
        var qualityDerived = QualitySummary(minScore: plan.minScore)
        let derived = plan.transforms ? try VersionWriter(blobs: blobs, key: key) : nil
        var changed = false

        var piiIssues = IssueList(), exactIssues = IssueList(), nearIssues = IssueList(), qualityIssues = IssueList(), toxicIssues = IssueList()
        var piiByKind: [String: Int] = [:]
        var samplesWithPII = 0
        var exactCount = 0, nearCount = 0, filteredCount = 0, toxicSamples = 0
        var toxicByCategory: [String: Int] = [:]
        var total = 0

        // Two stages overlap: a background job reads and analyses batch N+1
        // (on `workers` threads) while this thread merges batch N in order.
        let stage = Prefetch<[SampleFacts]> {
            guard let batch = try reader.nextBatch() else { return nil }
            return self.analyse(batch, scanner: scanner, hasher: hasher, scorer: scorer, lexicon: lexicon)
        }
        defer { stage.cancel() }
        while let facts = try stage.next() {
            for fact in facts {
                total += 1
                let id = fact.original.id
                var keep = true
                if !fact.pii.isEmpty {
                    samplesWithPII += 1
                    var kinds: [String: Int] = [:]
                    for finding in fact.pii { kinds[finding.kind.rawValue, default: 0] += 1 }
                    for (kind, n) in kinds { piiByKind[kind, default: 0] += n }
                    piiIssues.add(JSONValue(object: [
                        "id": .string(id), "line": .integer(fact.line), "kinds": .counts(kinds), "previews": .strings(fact.pii.prefix(5).map(\.preview)),
                    ]))
                }
                var isExact = false, isNear = false
                if let key = fact.exactKey, case .duplicate(let first, _) = exact.check(id, key: key) {
                    isExact = true
                    exactCount += 1
                    exactIssues.add(JSONValue(object: ["id": .string(id), "line": .integer(fact.line), "duplicate_of": .string(first)]))
                }
                if let signature = fact.signature, !isExact {
                    if case .duplicate(let original, let similarity) = near.check(id, signature: signature) {
                        isNear = true
                        nearCount += 1
                        nearIssues.add(JSONValue(object: [
                            "id": .string(id), "line": .integer(fact.line), "duplicate_of": .string(original), "similarity": .double((similarity * 1000).rounded() / 1000),
                        ]))
                    }
                }
                if plan.removeDuplicates && (isExact || isNear) { keep = false }
                if let quality = fact.quality {
                    qualitySource.add(quality)
                    if let minScore = plan.minScore, quality.score < minScore {
                        keep = false
                        filteredCount += 1
                    }
                    if quality.score < (plan.minScore ?? 0.5) {
                        qualityIssues.add(JSONValue(object: [
                            "id": .string(id), "line": .integer(fact.line), "score": .double((quality.score * 1000).rounded() / 1000), "flags": .strings(quality.flags),
                        ]))
                    }
                }
                if !fact.lexicon.isEmpty {
                    toxicSamples += 1
                    var categories: [String: [String]] = [:]
                    for hit in fact.lexicon {
                        toxicByCategory[hit.category, default: 0] += hit.count
                        categories[hit.category, default: []].append(hit.term)
                    }
                    toxicIssues.add(JSONValue(object: ["id": .string(id), "line": .integer(fact.line), "categories": JSONValue(object: categories.mapValues(JSONValue.strings))]))
                }
                sourceStats.add(fact.original, piiCount: fact.pii.count, isExactDuplicate: isExact, isNearDuplicate: isNear, qualityScore: fact.quality?.score,
                                tokenCount: fact.size.tokens, charCount: fact.size.chars)
                if let derived {
                    if keep {
                        try derived.appendEncoded(fact.encoded)
                        let size = plan.maskPII ? (fact.storedSize ?? fact.size) : fact.size
                        derivedStats.add(plan.maskPII ? fact.stored : fact.original, piiCount: 0, isExactDuplicate: false, isNearDuplicate: false, qualityScore: fact.quality?.score,
                                         tokenCount: size.tokens, charCount: size.chars)
                        if let quality = fact.quality { qualityDerived.add(quality) }
                        if plan.maskPII && fact.masked != nil { changed = true }
                    } else {
                        changed = true
                    }
                }
            }
        }

        var checks: [ValidationResult.Check] = []
        func add(_ kind: CheckKind, passed: Bool, summary: [String: JSONValue], issues: IssueList) {
            guard plan.checks.contains(kind) else { return }
            checks.append(.init(kind: kind, passed: passed, issuesJSON: issues.json(summary: summary)))
        }
        add(.pii, passed: samplesWithPII == 0, summary: [
            "samples": .integer(total), "samples_with_pii": .integer(samplesWithPII), "findings_by_kind": .counts(piiByKind), "masked": .bool(plan.maskPII),
        ], issues: piiIssues)
        add(.exactDuplicates, passed: exactCount == 0, summary: [
            "samples": .integer(total), "duplicates": .integer(exactCount), "removed": .bool(plan.removeDuplicates),
        ], issues: exactIssues)
        add(.nearDuplicates, passed: nearCount == 0, summary: [
            "samples": .integer(total), "near_duplicates": .integer(nearCount), "threshold": .double(plan.nearThreshold),
            "permutations": .integer(plan.permutations), "shingle_size": .integer(plan.shingleSize), "removed": .bool(plan.removeDuplicates),
        ], issues: nearIssues)
        let qualitySummary = qualitySource.summaryJSON()
        add(.quality, passed: qualityIssues.count == 0, summary: [
            "samples": .integer(total), "summary": qualitySummary, "min_score": .double(plan.minScore ?? 0.5), "filtered": .integer(filteredCount),
        ], issues: qualityIssues)
        add(.toxicity, passed: toxicSamples == 0, summary: [
            "samples": .integer(total), "samples_flagged": .integer(toxicSamples), "hits_by_category": .counts(toxicByCategory),
        ], issues: toxicIssues)

        let validationFacts: [String: JSONValue] = [
            "validated": .bool(true), "pii_by_kind": .counts(piiByKind), "samples_with_pii": .integer(samplesWithPII),
            "toxicity_by_category": .counts(toxicByCategory), "quality": qualitySummary,
        ]
        let sourceJSON = try StatsDocument.json(sourceStats.finish(), extra: validationFacts)
        let derivedJSON = derived == nil ? "" : try StatsDocument.json(derivedStats.finish(), extra: [
            "validated": .bool(true), "quality": qualityDerived.summaryJSON(),
        ])
        if !changed { derived?.discard() }
        return ValidationResult(
            checks: checks, sourceStatsJSON: sourceJSON, sourceQuality: plan.checks.contains(.quality) ? qualitySource.mean : nil,
            derived: changed ? derived : nil, derivedStatsJSON: derivedJSON,
            derivedQuality: plan.checks.contains(.quality) ? qualityDerived.mean : nil,
            changed: changed, seconds: (ContinuousClock.now - started).seconds
        )
    }

    /// Parses and analyses one batch on `workers` threads; facts come back in line order.
    private func analyse(_ batch: LineBatch, scanner: PIIScanner, hasher: MinHasher, scorer: QualityScorer, lexicon: ToxicityLexicon) -> [SampleFacts] {
        let count = batch.lines.count
        let parts = max(1, min(workers, count))
        let results = UnsafeMutableBufferPointer<[SampleFacts]>.allocate(capacity: parts)
        results.initialize(repeating: [])
        defer {
            _ = results.deinitialize()
            results.deallocate()
        }
        let plan = self.plan
        let shared = SendableBox(results)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let lower = count * part / parts
            let upper = count * (part + 1) / parts
            var out: [SampleFacts] = []
            out.reserveCapacity(upper - lower)
            for offset in lower..<upper {
                // Stored versions were parsed once already: a failure here is corruption.
                guard let sample = try? batch.parse(offset, batch.lines[offset]) else { continue }
                var fact = SampleFacts(original: sample, masked: nil, pii: [], exactKey: nil, signature: nil, quality: nil, lexicon: [], line: batch.firstLine + offset)
                if plan.checks.contains(.pii) {
                    let masked = scanner.mask(sample)
                    fact.pii = masked.findings
                    if !masked.findings.isEmpty {
                        fact.masked = masked.sample
                        fact.storedSize = SampleSize(masked.sample)
                    }
                }
                fact.size = SampleSize(sample)
                if plan.transforms {
                    ChatSampleJSON.encode(plan.maskPII ? fact.stored : sample, into: &fact.encoded)
                    fact.encoded.append(0x0A)
                }
                let text = (plan.maskPII ? fact.stored : sample).joinedText
                switch (plan.checks.contains(.exactDuplicates), plan.checks.contains(.nearDuplicates)) {
                case (true, true):
                    // One normalization pass for both keys.
                    let fingerprint = hasher.fingerprint(of: text)
                    fact.exactKey = fingerprint.exactKey
                    fact.signature = fingerprint.signature
                case (true, false): fact.exactKey = ExactDuplicateKey(text: text)
                case (false, true): fact.signature = hasher.signature(of: text)
                case (false, false): break
                }
                if plan.checks.contains(.quality) { fact.quality = scorer.score(sample) }
                if plan.checks.contains(.toxicity) { fact.lexicon = lexicon.scan(text) }
                out.append(fact)
            }
            shared.value[part] = out
        }
        return results.flatMap { $0 }
    }
}

/// Produces the next item of a stream on a background thread while the
/// caller consumes the previous one: a two-stage pipeline that keeps both
/// cores busy (read + parse + analyse ahead; merge, encode, encrypt behind).
final class Prefetch<Item>: @unchecked Sendable {
    private let produce: () throws -> Item?
    private let go = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Item?, any Error> = .success(nil)
    private var running = false
    private var finished = false
    private var thread: Thread?

    init(_ produce: @escaping () throws -> Item?) {
        self.produce = produce
    }

    /// One long-lived producer thread (a thread per item would scatter the
    /// allocations over many malloc arenas and inflate the peak memory).
    private func launch() {
        let thread = Thread { [self] in
            while true {
                go.wait()
                if finished { return }
                do { result = .success(try produce()) } catch { result = .failure(error) }
                done.signal()
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
        self.thread = thread
    }

    /// Starts producing the next item in the background.
    func start() {
        guard !running, !finished else { return }
        if thread == nil { launch() }
        running = true
        go.signal()
    }

    /// Waits for the item started last and starts the one after it; nil at the end.
    func next() throws -> Item? {
        if !running { start() }
        guard running else { return nil }
        done.wait()
        running = false
        let item: Item?
        do { item = try result.get() } catch {
            stop()
            throw error
        }
        if item == nil { stop() } else { start() }
        return item
    }

    /// Ends the producer thread (it is idle whenever this runs).
    private func stop() {
        guard !finished else { return }
        finished = true
        go.signal()
    }

    /// Stops early (the consumer failed): waits out a running item, ends the thread.
    func cancel() {
        if running {
            done.wait()
            running = false
        }
        stop()
    }
}

/// Hands a buffer to concurrentPerform's closures; each writes its own slot.
final class SendableBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// Issues of one check: exact count, first `Validation.maxIssues` kept.
struct IssueList {
    private(set) var count = 0
    private var items: [JSONValue] = []

    mutating func add(_ item: @autoclosure () -> JSONValue) {
        count += 1
        if items.count < Validation.maxIssues { items.append(item()) }
    }

    func json(summary: [String: JSONValue]) -> String {
        JSONValue(object: [
            "summary": JSONValue(object: summary), "issue_count": .integer(count), "issues": .array(items), "truncated": .bool(count > items.count),
        ]).serialized
    }
}

/// A version's statistics document: the domain's stats plus service facts.
enum StatsDocument {
    static func json(_ stats: some Encodable, extra: [String: JSONValue]) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        var members = try JSONValue.parse(encoder.encode(stats)).objectValue ?? [:]
        members.merge(extra) { _, fact in fact }
        return JSONValue(object: members).serialized
    }
}

extension QualitySummary {
    /// The summary as JSON (mean, range, components, 10-bin histogram, flags).
    func summaryJSON() -> JSONValue {
        var object: [String: JSONValue] = [
            "count": .integer(count),
            "histogram": JSONValue(object: ["counts": .array(histogram.map(JSONValue.integer)), "edges": .array((0...10).map { .double(Double($0) / 10) })]),
            "flags": .counts(flagCounts),
        ]
        if let mean { object["mean"] = .double(mean) }
        if let min { object["min"] = .double(min) }
        if let max { object["max"] = .double(max) }
        if let meanLength { object["mean_length_component"] = .double(meanLength) }
        if let meanDiversity { object["mean_diversity_component"] = .double(meanDiversity) }
        if let meanNoise { object["mean_noise_component"] = .double(meanNoise) }
        if minScore != nil { object["passed_min_score"] = .integer(passed) }
        return JSONValue(object: object)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
