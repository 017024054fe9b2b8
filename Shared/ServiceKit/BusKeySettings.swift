import Bus
import Foundation

extension EnvironmentReader {
    /// BUS_KEYS_DIR: the folder of bus keys (`BusKeyFolder`); nil when unset,
    /// and the bus is plaintext.
    public mutating func busKeyFolder() -> BusKeyFolder? {
        optionalString("BUS_KEYS_DIR").map { BusKeyFolder($0) }
    }

    /// The CURVE keys process `name` talks to the broker with: `<name>.key` and
    /// `bus.pub` under BUS_KEYS_DIR; nil when unset. A missing or malformed file
    /// is a problem naming the variable and the file (never the key).
    public mutating func busClientKeys(for name: String) -> BusClientKeys? {
        guard let folder = busKeyFolder() else { return nil }
        do {
            return try folder.clientKeys(for: name)
        } catch {
            problem("BUS_KEYS_DIR", error.description)
            return nil
        }
    }

    /// The broker's keys and authorized peers under BUS_KEYS_DIR; nil when unset.
    public mutating func brokerSecurity() -> BrokerSecurity? {
        guard let folder = busKeyFolder() else { return nil }
        do {
            return try folder.brokerSecurity()
        } catch {
            problem("BUS_KEYS_DIR", error.description)
            return nil
        }
    }

    /// The address a listener binds: an IPv4 or IPv6 literal or a host name.
    public mutating func host(_ name: String, default defaultValue: String) -> String {
        let value = string(name, default: defaultValue)
        let pattern = #"^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$"#
        if value.range(of: pattern, options: .regularExpression) == nil {
            problem(name, "'\(value)' is not an address like 127.0.0.1, 0.0.0.0 or ::1")
        }
        return value
    }
}
