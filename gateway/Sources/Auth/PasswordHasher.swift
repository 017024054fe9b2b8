import Crypto
import Foundation
import NIOPosix
import _CryptoExtras

/// A stored password: the KDF, its parameters, the salt and the derived key.
public struct PasswordHash: Sendable, Equatable {
    public var kdf: String
    public var params: String
    public var salt: [UInt8]
    public var hash: [UInt8]
}

/// Slow password hashing with scrypt (N=2^15, r=8, p=1: 32 MiB, tens of
/// milliseconds per hash). Hashing runs on NIO's blocking thread pool so it never
/// stalls the two cooperative threads; the parameters are stored with each hash
/// so they can be raised later.
public struct PasswordHasher: Sendable {
    public static let kdf = "scrypt"
    public var logN: Int
    public var blockSize: Int
    public var parallelism: Int
    public static let keyLength = 32
    public static let saltLength = 16

    public init(logN: Int = 15, blockSize: Int = 8, parallelism: Int = 1) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    public var params: String { "N=\(1 << logN),r=\(blockSize),p=\(parallelism)" }

    public func hash(_ password: String) async throws -> PasswordHash {
        var salt = [UInt8](repeating: 0, count: Self.saltLength)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let derived = try await Self.derive(password, salt: salt, n: 1 << logN, r: blockSize, p: parallelism)
        return PasswordHash(kdf: Self.kdf, params: params, salt: salt, hash: derived)
    }

    /// Constant-time comparison of the derived key with the stored one.
    public func verify(_ password: String, against stored: PasswordHash) async -> Bool {
        guard stored.kdf == Self.kdf, let (n, r, p) = Self.parse(stored.params) else { return false }
        guard let derived = try? await Self.derive(password, salt: stored.salt, n: n, r: r, p: p) else { return false }
        return Self.constantTimeEqual(derived, stored.hash)
    }

    /// Spends the same time as a real check, for unknown user names (no timing oracle).
    public func burn(_ password: String) async {
        _ = try? await Self.derive(password, salt: [UInt8](repeating: 0, count: Self.saltLength), n: 1 << logN, r: blockSize, p: parallelism)
    }

    static func parse(_ params: String) -> (Int, Int, Int)? {
        var values: [String: Int] = [:]
        for part in params.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = Int(pair[1]) else { return nil }
            values[String(pair[0])] = value
        }
        guard let n = values["N"], let r = values["r"], let p = values["p"],
              n >= 2, n <= 1 << 20, n & (n - 1) == 0, (1...32).contains(r), (1...16).contains(p) else { return nil }
        return (n, r, p)
    }

    static func derive(_ password: String, salt: [UInt8], n: Int, r: Int, p: Int) async throws -> [UInt8] {
        let passwordBytes = Array(password.utf8)
        return try await NIOThreadPool.singleton.runIfActive {
            let key = try KDF.Scrypt.deriveKey(from: passwordBytes, salt: salt, outputByteCount: keyLength, rounds: n, blockSize: r, parallelism: p, maxMemory: 256 * n * r * p + (1 << 20))
            return key.withUnsafeBytes { Array($0) }
        }
    }

    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Shared validation of user names and passwords (routes and configuration).
public enum UserValidation {
    public static func usernameProblem(_ name: String) -> String? {
        guard (1...64).contains(name.count) else { return "must be 1 to 64 characters" }
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._@-".unicodeScalars.contains($0)) }) else {
            return "may contain only letters, digits and . _ @ -"
        }
        return nil
    }

    public static func passwordProblem(_ password: String) -> String? {
        guard password.count >= 12 else { return "must be at least 12 characters" }
        guard password.utf8.count <= 1024 else { return "must be at most 1024 bytes" }
        return nil
    }
}
