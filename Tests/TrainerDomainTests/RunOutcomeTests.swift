import Testing
@testable import TrainerDomain

/// Every way a runner can end, in both states a running job can be in: the
/// decided event must be legal from that state, and only a runner that
/// itself failed (or a result-less exit 0) fails the job.
@Suite struct RunOutcomeTests {
    static let result: RunnerEvent.Result = {
        let line = #"{"type":"result","job_id":"7","method":"lora","output_dir":"/d/out","step":76,"total":76,"epoch":2.0,"metrics":{"train_loss":6.25,"eval_loss":6.1}}"#
        guard case .result(let r) = RunnerEvent.parse(line: line) else { fatalError("fixture is not a result") }
        return r
    }()

    static let exits: [RunnerExit] = [.completed, .failed, .badSpec, .stopped, .crashed(code: 137), .crashed(code: 139), .crashed(code: 3)]

    @Test func completedWithResult() throws {
        let outcome = RunOutcome.decide(.completed, current: .running, observed: .init(result: Self.result))
        #expect(outcome.event == .complete && outcome.error == nil)
        #expect(outcome.reason == "completed at step 76, loss 6.2500")
        #expect(try JobState.running.applying(outcome.event) == .completed)
    }

    @Test func exitZeroWithoutResultFails() {
        let outcome = RunOutcome.decide(.completed, current: .running, observed: .init())
        #expect(outcome.event == .fail)
        #expect(outcome.error?.message.contains("without a result") == true)
    }

    @Test func runnerErrorKeepsItsMessageAndField() {
        let failure = RunOutcome.Failure(message: "must be positive", field: "hyperparameters.learning_rate")
        for exit in [RunnerExit.badSpec, .failed, .crashed(code: 139)] {
            let outcome = RunOutcome.decide(exit, current: .running, observed: .init(failure: failure))
            #expect(outcome.event == .fail, "\(exit)")
            #expect(outcome.error == failure, "\(exit)")
            #expect(outcome.reason == "failed: must be positive", "\(exit)")
        }
    }

    @Test func silentFailureNamesTheExit() {
        #expect(RunOutcome.decide(.badSpec, current: .running, observed: .init()).error?.message.contains("exit 2") == true)
        #expect(RunOutcome.decide(.failed, current: .running, observed: .init()).error?.message.contains("exit 1") == true)
        #expect(RunOutcome.decide(.crashed(code: 139), current: .running, observed: .init()).error?.message
            == "the runner was killed by signal 11")
        #expect(RunOutcome.decide(.crashed(code: 3), current: .running, observed: .init()).error?.message
            == "the runner exited with code 3")
    }

    @Test func stopRequestEndsStoppedEvenWhenKilledAfterGrace() throws {
        for exit in [RunnerExit.stopped, .crashed(code: 137)] {
            let outcome = RunOutcome.decide(exit, current: .stopping, observed: .init())
            #expect(outcome.event == .runnerStopped, "\(exit)")
            #expect(try JobState.stopping.applying(outcome.event) == .stopped)
        }
    }

    @Test func unrequestedStopIsHandedBackToTheQueue() throws {
        for shuttingDown in [false, true] {
            let outcome = RunOutcome.decide(.stopped, current: .running, observed: .init(shuttingDown: shuttingDown))
            #expect(outcome.event == .leaseLost)
            #expect(outcome.reason.contains(shuttingDown ? "shut down" : "from outside"))
            #expect(try JobState.running.applying(outcome.event) == .queued)
        }
        // The trainer's own shutdown escalated to SIGKILL: still handed back, not failed.
        #expect(RunOutcome.decide(.crashed(code: 137), current: .running, observed: .init(shuttingDown: true)).event == .leaseLost)
    }

    @Test func lostLeaseWinsOverEveryExit() {
        for exit in Self.exits {
            for current in [JobState.running, .stopping] {
                let outcome = RunOutcome.decide(exit, current: current, observed: .init(result: Self.result, leaseLost: true))
                #expect(outcome.event == .leaseLost, "\(exit) in \(current)")
                #expect(outcome.error == nil)
            }
        }
    }

    @Test func everyDecisionIsLegalFromItsState() throws {
        for exit in Self.exits {
            for current in [JobState.running, .stopping] {
                for shuttingDown in [false, true] {
                    for result in [nil, Self.result] {
                        let outcome = RunOutcome.decide(exit, current: current, observed: .init(result: result, shuttingDown: shuttingDown))
                        #expect(throws: Never.self, "\(exit) in \(current)") { try current.applying(outcome.event) }
                        // An error is reported exactly when the job fails.
                        #expect((outcome.event == .fail) == (outcome.error != nil), "\(exit) in \(current)")
                    }
                }
            }
        }
    }
}
