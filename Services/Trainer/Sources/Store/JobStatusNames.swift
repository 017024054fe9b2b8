import Bus
import Contracts
import TrainerDomain

/// The domain's job states as they cross the bus; the database keeps the
/// same names as text (`JobState.rawValue`).
extension JobState {
    var proto: Mlops_V1_Trainer_JobStatus {
        guard let status = Mlops_V1_Trainer_JobStatus(name: rawValue) else { preconditionFailure("JobState.\(rawValue) has no proto status") }
        return status
    }

    /// nil for unspecified and for values this build does not know.
    init?(_ status: Mlops_V1_Trainer_JobStatus) {
        guard let name = status.name, let state = JobState(rawValue: name) else { return nil }
        self = state
    }

    static func stored(_ text: String) throws(BusError) -> JobState {
        guard let state = JobState(rawValue: text) else { throw BusError.internal("unknown finetuning_jobs.status '\(text)' in the database") }
        return state
    }
}
