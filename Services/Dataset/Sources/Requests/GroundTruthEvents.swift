import Bus
import Contracts
import Foundation
import JSON

/// The events of a new ground-truth version: every field checked (the first
/// 20 problems named, e.g. `events[3].data`), then the version's statistics.
enum GroundTruthEvents {
    static let maxPerVersion = 200_000

    /// The statistics JSON of valid events; throws naming the bad fields.
    static func validate(_ events: [Mlops_V1_Dataset_GroundTruthEvent]) throws -> String {
        guard events.count <= maxPerVersion else {
            throw BusError.invalidArgument(field: "events", "at most \(maxPerVersion) events per version (got \(events.count))")
        }
        var violations: [Mlops_V1_FieldViolation] = []
        var types: [String: Int] = [:]
        var dataBytes = 0
        var withUnit = 0
        var withMetadata = 0
        for (index, event) in events.enumerated() {
            func fail(_ field: String, _ reason: String) {
                if violations.count < 20 {
                    var violation = Mlops_V1_FieldViolation()
                    violation.field = "events[\(index)].\(field)"
                    violation.description_p = reason
                    violations.append(violation)
                }
            }
            if event.dataType.isEmpty || event.dataType.count > 50 || !event.dataType.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) {
                fail("data_type", "must be 1 to 50 letters, digits, '_' or '-'")
            }
            if !Fields.isJSON(event.dataJson) { fail("data", "must be valid JSON") }
            if !event.dataUnitJson.isEmpty {
                withUnit += 1
                if !Fields.isJSONObject(event.dataUnitJson) { fail("data_unit", "must be a JSON object") }
            }
            if !event.metadataJson.isEmpty {
                withMetadata += 1
                if !Fields.isJSONObject(event.metadataJson) { fail("metadata", "must be a JSON object") }
            }
            types[event.dataType, default: 0] += 1
            dataBytes += event.dataJson.utf8.count
        }
        if !violations.isEmpty {
            throw BusError(.invalidArgument, "\(violations.count) event field(s) are invalid", fieldViolations: violations)
        }
        let statistics = JSONValue(object: [
            "event_count": .integer(events.count),
            "data_types": .counts(types),
            "mean_data_bytes": events.isEmpty ? .integer(0) : .double(Double(dataBytes) / Double(events.count)),
            "with_data_unit": .integer(withUnit),
            "with_metadata": .integer(withMetadata),
        ])
        return statistics.serialized
    }
}
