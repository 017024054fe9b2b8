import DatasetDomain

/// The seeded generator of the property tests (reproducible runs): the dataset
/// domain's SplitMix64, the one implementation in the repository.
typealias SplitMix64 = DatasetDomain.SplitMix64
