/// A model version's lifecycle stage, as stored in the `status` column.
public enum ModelStage: String, Sendable, CaseIterable {
    case staging
    case production
    case archived
}
