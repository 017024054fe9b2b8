import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The broker's CURVE side: its own pair and the peers it admits.
public struct BrokerSecurity: Sendable {
    public var keys: CurveKeyPair
    public var peers: BusPeers

    public init(keys: CurveKeyPair, peers: BusPeers) {
        self.keys = keys
        self.peers = peers
    }
}

/// The one way bus keys are given to processes: a folder (`BUS_KEYS_DIR`) of
/// Z85 text files, one key per file.
///
///     <name>.key   the secret key of process <name> (mode 0600): gateway.key, registry.key, …
///     <name>.pub   its public key
///     bus.key      the broker's own pair is named `bus`; every process reads bus.pub
///     authorized   the broker's list of admitted peers, one per line:
///                  `<name>` or `<name> act-for-users` (may send a subject and roles);
///                  each one's key is <name>.pub; `#` starts a comment
///
/// A process needs only its own `.key` and `bus.pub`; the broker needs `bus.key`,
/// `authorized` and the `.pub` of every peer it lists. `generate` makes missing pairs.
public struct BusKeyFolder: Sendable {
    public static let brokerName = "bus"
    public static let authorizedFile = "authorized"
    public static let actForUsers = "act-for-users"

    public let directory: URL

    public init(_ path: String) {
        directory = URL(fileURLWithPath: path, isDirectory: true)
    }

    /// A process's keys: its pair from `<name>.key` and the broker's public key.
    public func clientKeys(for name: String) throws(BusKeyError) -> BusClientKeys {
        try BusClientKeys(own: try pair(of: name), brokerPublicKey: try publicKey(of: Self.brokerName))
    }

    /// The broker's pair and its authorized peers.
    public func brokerSecurity() throws(BusKeyError) -> BrokerSecurity {
        let listed = try Self.parseAuthorized(try read(Self.authorizedFile))
        var peers: [AuthorizedPeer] = []
        for entry in listed {
            peers.append(AuthorizedPeer(name: entry.name, publicKey: try publicKey(of: entry.name), mayActForUsers: entry.mayActForUsers))
        }
        do {
            return BrokerSecurity(keys: try pair(of: Self.brokerName), peers: try BusPeers(peers))
        } catch {
            throw BusKeyError("\(file(Self.authorizedFile).path): \(error.description)")
        }
    }

    /// Writes a pair for each name that has no `<name>.key` yet (the folder 0700,
    /// secret files 0600, public ones 0644); returns the names it made. Existing
    /// keys are never replaced.
    public func generate(names: [String]) throws(BusKeyError) -> [String] {
        for name in names where !Self.isValidName(name) {
            throw BusKeyError("'\(name)' is not a key name (lowercase letters, digits, '-' and '_')")
        }
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw BusKeyError("\(directory.path): cannot create: \(error.localizedDescription)")
        }
        var made: [String] = []
        for name in names where !manager.fileExists(atPath: file("\(name).key").path) {
            let pair = try CurveKeyPair.generate()
            try write(pair.publicKey + "\n", to: "\(name).pub", mode: 0o644)
            try write(pair.secretKey + "\n", to: "\(name).key", mode: 0o600)
            made.append(name)
        }
        return made
    }

    /// `authorized`'s entries, in order; a malformed line names its number.
    public static func parseAuthorized(_ text: String) throws(BusKeyError) -> [(name: String, mayActForUsers: Bool)] {
        var entries: [(name: String, mayActForUsers: Bool)] = []
        // `isNewline`: "\r\n" is one Character, which a split on "\n" would not see.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let name = words.first else { continue }
            let where_ = "\(authorizedFile) line \(index + 1)"
            guard isValidName(name), name != brokerName else {
                throw BusKeyError("\(where_): '\(name)' is not a peer name (lowercase letters, digits, '-' and '_'; not '\(brokerName)')")
            }
            guard words.count == 1 || (words.count == 2 && words[1] == actForUsers) else {
                throw BusKeyError("\(where_): expected '<name>' or '<name> \(actForUsers)'")
            }
            entries.append((name, words.count == 2))
        }
        return entries
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    private func pair(of name: String) throws(BusKeyError) -> CurveKeyPair {
        let path = "\(name).key"
        let secret = try read(path)
        do {
            return try CurveKeyPair(secretKey: secret)
        } catch {
            throw BusKeyError("\(file(path).path): \(error.description)")
        }
    }

    private func publicKey(of name: String) throws(BusKeyError) -> String {
        let path = "\(name).pub"
        let key = try read(path)
        guard CurveKeyPair.decode(key) != nil else { throw BusKeyError("\(file(path).path): not a Z85 CURVE key (40 characters)") }
        return key
    }

    private func file(_ name: String) -> URL { directory.appendingPathComponent(name, isDirectory: false) }

    /// A file's text without surrounding whitespace.
    private func read(_ name: String) throws(BusKeyError) -> String {
        let url = file(name)
        do {
            return try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "cannot read it" : "missing"
            throw BusKeyError("\(url.path): \(reason)")
        }
    }

    private func write(_ text: String, to name: String, mode: Int) throws(BusKeyError) {
        let url = file(name)
        // Created with its mode by open(2), so a secret is never readable by others, even for a moment.
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw BusKeyError("\(url.path): cannot create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw BusKeyError("\(url.path): cannot write") }
    }
}
