import DatasetDomain
import Foundation
import ServiceKit

/// Splits a version into train/val/test files: one pass to learn each
/// sample's category, the seeded stratified assignment (pure domain), then a
/// second pass writing each sample to its part's encrypted file.
struct Splitting {
    let ratios: SplitRatios
    let seed: UInt64

    struct Output: @unchecked Sendable {
        var parts: [SplitPart: VersionWriter]
        var counts: [SplitPart: Int]
        var strata: [String: [String: Int]]
    }

    func run(blobs: BlobStore, blobSHA256: String, key: DataKey) throws -> Output {
        var categories: [String?] = []
        try VersionReader(blobs: blobs, blobSHA256: blobSHA256, key: key).forEachSample { sample in
            categories.append(sample.metadata.category)
        }
        let assignment = StratifiedSplitter.assign(categories: categories, ratios: ratios, seed: seed)
        var writers: [SplitPart: VersionWriter] = [:]
        for part in SplitPart.allCases { writers[part] = try VersionWriter(blobs: blobs, key: key) }
        var counts: [SplitPart: Int] = [:]
        var strata: [String: [String: Int]] = [:]
        var index = 0
        try VersionReader(blobs: blobs, blobSHA256: blobSHA256, key: key).forEachSample { sample in
            let part = assignment[index]
            index += 1
            try writers[part]!.append(sample)
            counts[part, default: 0] += 1
            strata[sample.metadata.category ?? "(none)", default: [:]][part == .validation ? "val" : part.rawValue, default: 0] += 1
        }
        return Output(parts: writers, counts: counts, strata: strata)
    }
}

/// Compares two versions by sample id: added, removed, changed (same id,
/// other content) and unchanged, with a few examples of each.
struct VersionDiff {
    let sampleLimit: Int

    struct Output: Sendable {
        var added = 0, removed = 0, changed = 0, unchanged = 0
        var addedSamples: [String] = []
        var removedSamples: [String] = []
        var changedSamples: [(id: String, before: String, after: String)] = []
    }

    func run(blobs: BlobStore, from: String, to: String, key: DataKey) throws -> Output {
        // id → content fingerprint of the old version (a 128-bit hash, not the text).
        var before: [String: ContentFingerprint] = [:]
        try VersionReader(blobs: blobs, blobSHA256: from, key: key).forEachSample { sample in
            before[sample.id] = ContentFingerprint(sample)
        }
        var output = Output()
        var changedIds: [String] = []
        var seen = Set<String>()
        var afterText: [String: String] = [:]
        try VersionReader(blobs: blobs, blobSHA256: to, key: key).forEachSample { sample in
            seen.insert(sample.id)
            guard let old = before[sample.id] else {
                output.added += 1
                if output.addedSamples.count < sampleLimit { output.addedSamples.append(canonical(sample)) }
                return
            }
            if old == ContentFingerprint(sample) {
                output.unchanged += 1
            } else {
                output.changed += 1
                if changedIds.count < sampleLimit {
                    changedIds.append(sample.id)
                    afterText[sample.id] = canonical(sample)
                }
            }
        }
        let wanted = Set(changedIds)
        var beforeText: [String: String] = [:]
        try VersionReader(blobs: blobs, blobSHA256: from, key: key).forEachSample { sample in
            if !seen.contains(sample.id) {
                output.removed += 1
                if output.removedSamples.count < sampleLimit { output.removedSamples.append(canonical(sample)) }
            } else if wanted.contains(sample.id) {
                beforeText[sample.id] = canonical(sample)
            }
        }
        output.changedSamples = changedIds.map { ($0, beforeText[$0] ?? "", afterText[$0] ?? "") }
        return output
    }

    private func canonical(_ sample: ChatSample) -> String {
        var bytes: [UInt8] = []
        ChatSampleJSON.encode(sample, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A sample's whole content (turns and metadata) as a 128-bit hash.
struct ContentFingerprint: Hashable {
    let key: ExactDuplicateKey

    init(_ sample: ChatSample) {
        var bytes: [UInt8] = []
        ChatSampleJSON.encode(sample, into: &bytes)
        key = bytes.withUnsafeBytes { ExactDuplicateKey(normalizedUTF8: $0) }
    }
}
