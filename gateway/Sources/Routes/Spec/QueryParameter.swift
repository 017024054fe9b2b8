import Contracts
import JSON

/// One query parameter of a route: its type and its limits, written once and
/// read by both `QueryReader` (validation) and `OpenAPI` (the schema).
struct QueryParameter: Sendable {
    enum Item: Sendable {
        case string(maxLength: Int)
        case positiveInteger
        case choice([String])
    }

    enum Kind: Sendable {
        /// An empty value counts as absent.
        case string(maxLength: Int)
        /// `default` nil: optional.
        case integer(ClosedRange<Int>, default: Int?)
        case boolean
        /// An empty value counts as absent.
        case choice([String], default: String?)
        case timestamp
        /// Comma-separated or repeated values.
        case list(Item, maxCount: Int)
    }

    let name: String
    let kind: Kind
    var description: String?

    static func string(_ name: String, maxLength: Int = 255, description: String? = nil) -> QueryParameter {
        QueryParameter(name: name, kind: .string(maxLength: maxLength), description: description)
    }

    static func integer(_ name: String, _ range: ClosedRange<Int>, default value: Int? = nil, description: String? = nil) -> QueryParameter {
        QueryParameter(name: name, kind: .integer(range, default: value), description: description)
    }

    static func boolean(_ name: String, description: String? = nil) -> QueryParameter {
        QueryParameter(name: name, kind: .boolean, description: description)
    }

    static func choice(_ name: String, _ values: [String], default value: String? = nil, description: String? = nil) -> QueryParameter {
        QueryParameter(name: name, kind: .choice(values, default: value), description: description)
    }

    /// A bus enum's names (Contracts' `WireNamed`).
    static func choice<T: WireNamed>(_ name: String, _ type: T.Type) -> QueryParameter {
        choice(name, T.names)
    }

    static func timestamp(_ name: String, description: String? = nil) -> QueryParameter {
        QueryParameter(name: name, kind: .timestamp, description: description)
    }

    static func list(_ name: String, _ item: Item, maxCount: Int, description: String? = nil) -> QueryParameter {
        QueryParameter(name: name, kind: .list(item, maxCount: maxCount), description: description)
    }
}

/// The default and maximum `limit` of each family of lists, written once.
enum ListLimits {
    static let datasets = paging(default: 20, max: 500)
    static let groundTruthDatasets = paging(default: 20, max: 500)
    static let groundTruthEvents = paging(default: 100, max: 1000)
    static let jobs = paging(default: 20, max: 200)
    static let models = paging(default: 50, max: 1000)
    static let accounts = paging(default: 100, max: 1000)
    static let audit = paging(default: 50, max: 1000)

    /// `skip` and `limit`, as every list route declares them.
    static func paging(default value: Int, max: Int) -> [QueryParameter] {
        [.integer("skip", 0...Int(Int32.max), default: 0), .integer("limit", 1...max, default: value)]
    }
}
