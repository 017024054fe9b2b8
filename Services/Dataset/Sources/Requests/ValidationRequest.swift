import Bus
import Contracts
import DatasetDomain
import Foundation
import JSON

extension ValidationPlan {
    /// The request's checks and options, each refused with its field named.
    init(validating request: Mlops_V1_Dataset_ValidateRequest) throws {
        var checks = Set<CheckKind>()
        for name in request.checks {
            guard let kind = CheckKind.parse(name) else {
                throw BusError.invalidArgument(field: "checks", "unknown check '\(name)'; use pii, exact_duplicates, near_duplicates, quality, toxicity")
            }
            checks.insert(kind)
        }
        if checks.isEmpty { checks = Set(CheckKind.allCases) }
        if request.hasMinScore_p {
            guard (0...1).contains(request.minScore) else { throw BusError.invalidArgument(field: "min_score", "must be between 0 and 1") }
            guard checks.contains(.quality) else { throw BusError.invalidArgument(field: "min_score", "needs the quality check") }
        }
        let threshold = request.nearDuplicateThreshold == 0 ? LSHParameters.defaultThreshold : request.nearDuplicateThreshold
        guard threshold > 0, threshold < 1 else { throw BusError.invalidArgument(field: "near_duplicate_threshold", "must be between 0 and 1 (exclusive)") }
        let permutations = request.minhashPermutations == 0 ? MinHasher.defaultNumPermutations : Int(request.minhashPermutations)
        guard (16...1024).contains(permutations) else { throw BusError.invalidArgument(field: "minhash_permutations", "must be 16 to 1024") }
        let shingle = request.shingleSize == 0 ? MinHasher.defaultShingleSize : Int(request.shingleSize)
        guard (1...MinHasher.maxShingleSize).contains(shingle) else { throw BusError.invalidArgument(field: "shingle_size", "must be 1 to \(MinHasher.maxShingleSize)") }
        var extra: [String: [String]] = [:]
        if !request.extraTermsJson.isEmpty {
            guard case .object(let categories)? = try? JSONValue.parse(request.extraTermsJson) else {
                throw BusError.invalidArgument(field: "extra_terms", "must be an object of category → list of terms")
            }
            for (category, value) in categories {
                let terms = value.arrayValue?.compactMap(\.stringValue)
                guard let terms, terms.count == value.arrayValue?.count, terms.count <= 10_000, terms.allSatisfy({ (1...200).contains($0.count) }) else {
                    throw BusError.invalidArgument(field: "extra_terms.\(category)", "must be a list of at most 10000 terms of 1 to 200 characters")
                }
                extra[category] = terms
            }
        }
        self.init(
            checks: checks, maskPII: request.hasMaskPii_p ? request.maskPii : true,
            removeDuplicates: request.hasRemoveDuplicates_p ? request.removeDuplicates : true,
            minScore: request.hasMinScore_p ? request.minScore : nil, nearThreshold: threshold,
            permutations: permutations, shingleSize: shingle, extraTerms: extra
        )
    }
}
