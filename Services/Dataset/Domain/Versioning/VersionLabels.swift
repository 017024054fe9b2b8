/// v1.0 for a first upload, v2.0 for the next upload, v1.1, v1.2 … for
/// versions derived from v1.x.
public enum VersionLabels {
    public static func parse(_ label: String) -> (major: Int, minor: Int)? {
        guard label.hasPrefix("v") else { return nil }
        let parts = label.dropFirst().split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return (major, minor)
    }

    public static func nextMajor(after labels: [String]) -> String {
        let major = labels.compactMap(parse).map(\.major).max() ?? 0
        return "v\(major + 1).0"
    }

    public static func nextMinor(of parent: String, among labels: [String]) -> String {
        let major = parse(parent)?.major ?? 1
        let minor = labels.compactMap(parse).filter { $0.major == major }.map(\.minor).max() ?? 0
        return "v\(major).\(minor + 1)"
    }
}
