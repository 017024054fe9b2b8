import Bus
import Contracts
import Foundation
import JSON
import ServiceKit
import TrainerDomain

/// The trainer's requests turned into what the handlers work with, each bad
/// field refused with its name (the gateway checks too; the service never trusts it).
enum JobRequests {
    /// The validated spec of a create request; every problem of the spec at once.
    static func spec(_ request: Mlops_V1_Trainer_CreateJobRequest) throws -> JobSpec {
        do { return try JobSpecValidation.validate(json: Data(request.specJson.utf8)) } catch {
            throw invalid(error.problems)
        }
    }

    struct ListQuery: Equatable {
        var status: JobState?
        var datasetId: Int64? = nil
        var datasetVersion: String? = nil
        var skip: Int
        var limit: Int
    }

    static func list(_ request: Mlops_V1_Trainer_ListJobsRequest) throws -> ListQuery {
        var status: JobState?
        if request.status != .unspecified {
            guard let state = JobState(request.status) else {
                throw BusError.invalidArgument(field: "status", "must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = state
        }
        guard request.skip >= 0 else { throw BusError.invalidArgument(field: "skip", "must be ≥ 0") }
        guard (0...200).contains(request.limit) else { throw BusError.invalidArgument(field: "limit", "must be from 1 to 200") }
        guard request.datasetID >= 0 else { throw BusError.invalidArgument(field: "dataset_id", "must be a positive id, or 0 for any") }
        if !request.datasetVersion.isEmpty {
            guard request.datasetID > 0 else { throw BusError.invalidArgument(field: "dataset_version", "needs dataset_id") }
            guard JobSpecValidation.isVersionLabel(request.datasetVersion) else {
                throw BusError.invalidArgument(field: "dataset_version", "must be 1 to 50 ASCII letters, digits, '.', '_' or '-'")
            }
        }
        return ListQuery(status: status, datasetId: request.datasetID == 0 ? nil : request.datasetID,
                         datasetVersion: request.datasetVersion.isEmpty ? nil : request.datasetVersion,
                         skip: Int(request.skip), limit: request.limit == 0 ? 20 : Int(request.limit))
    }

    /// The job and the checkpoint to resume from; nil = its latest.
    static func resume(_ request: Mlops_V1_Trainer_ResumeJobRequest) throws -> (id: Int64, checkpointID: Int64?) {
        let id = try FieldChecks.id(request.id, field: "id")
        guard request.checkpointID >= 0 else { throw BusError.invalidArgument(field: "checkpoint_id", "must be a checkpoint id of this job") }
        return (id, request.checkpointID == 0 ? nil : request.checkpointID)
    }

    /// The job and how many of its last log lines (default 100).
    static func logs(_ request: Mlops_V1_Trainer_GetLogsRequest) throws -> (id: Int64, lines: Int) {
        guard (0...10_000).contains(request.lines) else { throw BusError.invalidArgument(field: "lines", "must be from 1 to 10000") }
        return (try FieldChecks.id(request.id, field: "id"), request.lines == 0 ? 100 : Int(request.lines))
    }

    /// INVALID_ARGUMENT with one violation per problem.
    static func invalid(_ problems: [FieldError]) -> BusError {
        let violations = problems.map { problem -> Mlops_V1_FieldViolation in
            var violation = Mlops_V1_FieldViolation()
            violation.field = problem.field
            violation.description_p = problem.message
            return violation
        }
        return BusError(.invalidArgument, problems.map(\.description).joined(separator: "; "), fieldViolations: violations)
    }
}
