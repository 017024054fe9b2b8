import Bus
import Contracts
import Testing
import TrainerDomain
@testable import TrainerService

/// The trainer's requests are refused with the bad field named (no I/O).
@Suite struct JobRequestsTests {
    private func refusedField(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let error as BusError {
            #expect(error.code == .invalidArgument)
            return error.fieldViolations.map(\.field)
        } catch {
            Issue.record("not a BusError: \(error)")
            return []
        }
    }

    @Test func listQueriesAreCheckedAndDefaulted() throws {
        var request = Mlops_V1_Trainer_ListJobsRequest()
        #expect(try JobRequests.list(request) == .init(status: nil, skip: 0, limit: 20))
        request.skip = 40
        request.limit = 200
        for state in JobState.allCases {
            request.status = state.proto
            #expect(try JobRequests.list(request) == .init(status: state, skip: 40, limit: 200))
        }
        for (field, change) in [("status", { (r: inout Mlops_V1_Trainer_ListJobsRequest) in r.status = .UNRECOGNIZED(42) }),
                                ("skip", { $0.skip = -1 }), ("limit", { $0.limit = 201 })] {
            var bad = Mlops_V1_Trainer_ListJobsRequest()
            change(&bad)
            #expect(refusedField { _ = try JobRequests.list(bad) } == [field])
        }
    }

    @Test func everyJobStateHasItsOwnBusStatusAndBack() {
        let statuses = JobState.allCases.map(\.proto)
        #expect(Set(statuses.map(\.rawValue)).count == JobState.allCases.count && !statuses.contains(.unspecified))
        #expect(JobState.allCases.allSatisfy { JobState($0.proto) == $0 })
        #expect(Set(Mlops_V1_Trainer_JobStatus.named.map(\.value)) == Set(statuses), "no bus status without a job state")
        #expect(JobState(.unspecified) == nil && JobState(.UNRECOGNIZED(42)) == nil)
    }

    @Test func resumeAndLogsNameTheirFields() throws {
        var resume = Mlops_V1_Trainer_ResumeJobRequest()
        resume.id = 3
        #expect(try JobRequests.resume(resume) == (3, nil))
        resume.checkpointID = 9
        #expect(try JobRequests.resume(resume) == (3, 9))
        resume.checkpointID = -1
        #expect(refusedField { _ = try JobRequests.resume(resume) } == ["checkpoint_id"])
        resume = Mlops_V1_Trainer_ResumeJobRequest()
        #expect(refusedField { _ = try JobRequests.resume(resume) } == ["id"])

        var logs = Mlops_V1_Trainer_GetLogsRequest()
        logs.id = 5
        #expect(try JobRequests.logs(logs) == (5, 100))
        logs.lines = 10_001
        #expect(refusedField { _ = try JobRequests.logs(logs) } == ["lines"])
    }

    @Test func aBadSpecNamesEveryBadField() {
        var request = Mlops_V1_Trainer_CreateJobRequest()
        request.specJson = #"{"job_name": "", "base_model": "tiny", "dataset_id": 0, "method": "sideways"}"#
        let fields = refusedField { _ = try JobRequests.spec(request) }
        #expect(Set(fields).isSuperset(of: ["job_name", "dataset_id", "method"]), "\(fields)")
    }
}
