/// PII detection and masking for Korean/English training text.
///
/// ```swift
/// let scanner = PIIScanner()
/// let (masked, findings) = scanner.mask("홍길동의 주민등록번호는 123456-1234567입니다.")
/// // masked == "[이름]의 주민등록번호는 [주민등록번호]입니다."
/// ```
///
/// Overlaps are resolved deterministically: validated (checksum-passing)
/// spans first, then longer spans, then `PIIKind.overlapPriority`, then the
/// earlier start. Masking replaces each kept span with `PIIKind.maskToken`
/// and leaves every other byte untouched. Mask tokens are never detected
/// again, and `mask` re-scans its own output until nothing new is found
/// (a context word can come within reach once a long span shrinks to a
/// token), so `mask(mask(x).text).text == mask(x).text`. The re-scan is
/// capped at four passes; real text settles after the second, and a text
/// without findings is scanned once.
///
/// The scanner is a value type holding immutable compiled tables; one
/// instance can be shared across tasks and threads.
public struct PIIScanner: Sendable {
    public let options: PIIOptions
    let config: PIICompiledConfig

    public init(options: PIIOptions = PIIOptions()) {
        self.options = options
        self.config = PIICompiledConfig(options)
    }

    /// Findings in `text`, sorted by position; ranges are UTF-8 byte offsets into `text`.
    public func findings(in text: String) -> [PIIFinding] {
        analyze(text).findings
    }

    /// `text` with every finding replaced by its mask token, and the findings
    /// (ranges refer to the input `text`).
    public func mask(_ text: String) -> (text: String, findings: [PIIFinding]) {
        let r = analyze(text)
        return (r.masked ?? text, r.findings)
    }

    /// Masks every turn (system, user, assistant). `id` and metadata are kept
    /// as they are. Each finding carries its `messageIndex`; its range is
    /// relative to that message's original content.
    public func mask(_ sample: ChatSample) -> (sample: ChatSample, findings: [PIIFinding]) {
        var out = sample
        var all: [PIIFinding] = []
        for (idx, message) in sample.messages.enumerated() {
            let r = analyze(message.content)
            guard !r.findings.isEmpty else { continue }
            if let masked = r.masked { out.messages[idx].content = masked }
            for var f in r.findings {
                f.messageIndex = idx
                all.append(f)
            }
        }
        return (out, all)
    }

    // MARK: - Driver

    private struct Replacement {
        var oldStart: Int
        var oldEnd: Int
        var newStart: Int
        var newEnd: Int
    }

    private struct PassResult {
        var findings: [PIIFinding]
        var masked: [UInt8]
        var replacements: [Replacement]
    }

    /// Scans, masks, and re-scans the masked text until it is stable (at most
    /// four passes; in practice the second pass finds nothing).
    func analyze(_ text: String) -> (masked: String?, findings: [PIIFinding]) {
        let first: PassResult? = text.utf8.withContiguousStorageIfAvailable { pass($0) }
            ?? Array(text.utf8).withUnsafeBufferPointer { pass($0) }
        guard let firstPass = first else { return (nil, []) }
        var all = firstPass.findings
        var current = firstPass.masked
        var history = [firstPass.replacements]
        for _ in 0..<3 {
            guard let next = current.withUnsafeBufferPointer({ pass($0) }) else { break }
            for var f in next.findings {
                guard let r = unmap(f.utf8Range, history) else { continue }
                f.utf8Range = r
                all.append(f)
            }
            current = next.masked
            history.append(next.replacements)
        }
        all.sort { ($0.utf8Range.lowerBound, $0.utf8Range.upperBound) < ($1.utf8Range.lowerBound, $1.utf8Range.upperBound) }
        return (String(decoding: current, as: UTF8.self), all)
    }

    /// Maps a range in the text after `history.count` passes back to the original text.
    private func unmap(_ range: Range<Int>, _ history: [[Replacement]]) -> Range<Int>? {
        var lo = range.lowerBound
        var hi = range.upperBound
        for reps in history.reversed() {
            var delta = 0
            for r in reps {
                if r.newEnd <= lo {
                    delta = r.oldEnd - r.newEnd
                } else if r.newStart >= hi {
                    break
                } else {
                    return nil // overlaps a token: cannot happen, tokens are skipped
                }
            }
            lo += delta
            hi += delta
        }
        return lo..<hi
    }

    /// One scan + mask of `p`; nil when nothing was found.
    private func pass(_ p: UnsafeBufferPointer<UInt8>) -> PassResult? {
        let raw = withUnsafeTemporaryAllocation(of: Int.self, capacity: PIIEngine.intScratch) { ints in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: PIIEngine.byteScratch) { bytes in
                var engine = PIIEngine(p, config, ints: ints, bytes: bytes)
                return engine.run()
            }
        }
        if raw.isEmpty { return nil }
        let kept = Self.resolve(raw)
        var findings: [PIIFinding] = []
        findings.reserveCapacity(kept.count)
        var masked: [UInt8] = []
        masked.reserveCapacity(p.count + kept.count * 12)
        var reps: [Replacement] = []
        reps.reserveCapacity(kept.count)
        var last = 0
        for c in kept {
            masked.append(contentsOf: UnsafeBufferPointer(rebasing: p[last..<c.start]))
            let ns = masked.count
            masked.append(contentsOf: config.maskTokens[Self.tokenIndex(c.kind)])
            reps.append(Replacement(oldStart: c.start, oldEnd: c.end, newStart: ns, newEnd: masked.count))
            last = c.end
            findings.append(PIIFinding(kind: c.kind, utf8Range: c.start..<c.end, validated: c.validated,
                                       preview: Self.preview(p, c)))
        }
        masked.append(contentsOf: UnsafeBufferPointer(rebasing: p[last..<p.count]))
        return PassResult(findings: findings, masked: masked, replacements: reps)
    }

    private static func tokenIndex(_ kind: PIIKind) -> Int {
        PIIKind.allMaskTokens.firstIndex(of: kind.maskToken)!
    }

    /// Keeps a non-overlapping subset: validated first, then longer, then
    /// `overlapPriority`, then earlier start. Returned sorted by start.
    /// Works cluster by cluster (runs of transitively overlapping
    /// candidates), so long texts stay O(n log n).
    static func resolve(_ cands: [PIICandidate]) -> [PIICandidate] {
        let sorted = cands.sorted { ($0.start, $0.end, $0.kind.overlapPriority) < ($1.start, $1.end, $1.kind.overlapPriority) }
        var out: [PIICandidate] = []
        out.reserveCapacity(sorted.count)
        var i = 0
        while i < sorted.count {
            var j = i + 1
            var clusterEnd = sorted[i].end
            while j < sorted.count && sorted[j].start < clusterEnd {
                clusterEnd = max(clusterEnd, sorted[j].end)
                j += 1
            }
            if j == i + 1 {
                out.append(sorted[i])
            } else {
                let ranked = sorted[i..<j].sorted { a, b in
                    if a.validated != b.validated { return a.validated }
                    let la = a.end - a.start, lb = b.end - b.start
                    if la != lb { return la > lb }
                    if a.kind.overlapPriority != b.kind.overlapPriority { return a.kind.overlapPriority < b.kind.overlapPriority }
                    return a.start < b.start
                }
                var kept: [PIICandidate] = []
                for c in ranked where !kept.contains(where: { $0.start < c.end && c.start < $0.end }) { kept.append(c) }
                out.append(contentsOf: kept.sorted { $0.start < $1.start })
            }
            i = j
        }
        return out
    }

    // MARK: - Preview

    /// Redacted shape: separators and punctuation kept, the first `keep`
    /// letters/digits kept (birth year-month of an RRN, a phone prefix, a
    /// card's first four digits, a name's first letter/syllable), the rest `*`.
    /// E-mail: first character of the local part and the top-level domain.
    static func preview(_ p: UnsafeBufferPointer<UInt8>, _ c: PIICandidate) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(c.end - c.start)
        let star: UInt8 = 0x2A
        if c.kind == .email {
            var at = c.start
            while at < c.end && p[at] != 0x40 { at += 1 }
            var lastDot = c.end
            var k = c.end
            while k > at { k -= 1; if p[k] == 0x2E { lastDot = k; break } }
            for k in c.start..<c.end {
                let b = p[k]
                if k == c.start || k == at || (k > at && b == 0x2E) || k > lastDot { out.append(b) } else { out.append(star) }
            }
            return String(decoding: out, as: UTF8.self)
        }
        var kept = 0
        var k = c.start
        while k < c.end {
            let b = p[k]
            if b < 0x80 {
                if piiIsAlnum(b) {
                    out.append(kept < c.keep ? b : star)
                    kept += 1
                } else {
                    out.append(b)
                }
                k += 1
            } else {
                let len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                let e = min(k + len, c.end)
                if kept < c.keep { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[k..<e])) } else { out.append(star) }
                kept += 1
                k = e
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
