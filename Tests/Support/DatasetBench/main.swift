import DatasetDomain
import Foundation

#if canImport(Glibc)
import Glibc
#endif

// The Swift side of the MinHash comparison in `scripts/bench dataset`: the
// same documents, shingles and permutations as scripts/lib/minhash_datasketch.py,
// text → signature on one thread. Prints one JSON object like the Python side.
//   dataset-bench FILE.jsonl [--limit N] [--num-perm K] [--shingle-size S]
func option(_ name: String, _ fallback: Int, in arguments: inout [String]) -> Int {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count, let value = Int(arguments[index + 1]) else { return fallback }
    arguments.removeSubrange(index...(index + 1))
    return value
}
var arguments = Array(CommandLine.arguments.dropFirst())
let limit = option("--limit", Int.max, in: &arguments)
let permutations = option("--num-perm", MinHasher.defaultNumPermutations, in: &arguments)
let shingle = option("--shingle-size", MinHasher.defaultShingleSize, in: &arguments)
guard let path = arguments.first, let data = FileManager.default.contents(atPath: path) else {
    FileHandle.standardError.write(Data("usage: dataset-bench FILE.jsonl [--limit N] [--num-perm K] [--shingle-size S]\n".utf8))
    exit(2)
}

var texts: [String] = []
data.withUnsafeBytes { raw in
    var start = 0
    var line = 0
    let bytes = raw.bindMemory(to: UInt8.self)
    for i in 0..<bytes.count where bytes[i] == 0x0A && texts.count < limit {
        line += 1
        if i > start, case .success(let sample) = ChatSampleJSON.parse(line: UnsafeRawBufferPointer(rebasing: raw[start..<i]), lineNumber: line) {
            texts.append(sample.joinedText)
        }
        start = i + 1
    }
}

func cpuSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let hasher = MinHasher(numPermutations: permutations, shingleSize: shingle)
var checksum: UInt64 = 0
let wallStart = Date()
let cpuStart = cpuSeconds()
for text in texts {
    let signature = hasher.signature(of: text)
    checksum &+= UInt64(signature.values[0])
}
let cpu = cpuSeconds() - cpuStart
let wall = Date().timeIntervalSince(wallStart)
print(#"{"docs": \#(texts.count), "seconds": \#(cpu), "wall_seconds": \#(wall), "docs_per_s": \#(Double(texts.count) / cpu), "num_perm": \#(permutations), "shingle_size": \#(shingle), "checksum": \#(checksum)}"#)
