import Testing
@testable import TrainerDomain

@Suite struct JobStateTests {
    /// Every legal edge; all other (state, event) pairs must be illegal.
    static let legal: [JobState: [JobEvent: JobState]] = [
        .pending: [.enqueue: .queued, .requestStop: .stopped, .fail: .failed],
        .queued: [.start: .running, .requestStop: .stopped, .fail: .failed],
        .running: [.requestStop: .stopping, .complete: .completed, .fail: .failed, .leaseLost: .queued],
        .stopping: [.requestStop: .stopping, .complete: .completed, .fail: .failed, .runnerStopped: .stopped,
                    .leaseLost: .stopped],
        .stopped: [.resume: .queued],
        .failed: [.resume: .queued],
        .completed: [:],
    ]

    @Test func everyPairOfStateAndEvent() throws {
        var legalCount = 0
        for state in JobState.allCases {
            for event in JobEvent.allCases {
                if let expected = Self.legal[state]?[event] {
                    legalCount += 1
                    #expect(try state.applying(event) == expected, "\(state) --\(event)-->")
                } else {
                    #expect(throws: IllegalTransition(from: state, event: event), "\(state) --\(event)--> must be illegal") {
                        try state.applying(event)
                    }
                }
            }
        }
        #expect(legalCount == 17)
        #expect(JobState.allCases.count * JobEvent.allCases.count == 56)
    }

    @Test func allowedEventsMatchTheTable() {
        for state in JobState.allCases {
            #expect(state.allowedEvents == Set((Self.legal[state] ?? [:]).keys))
        }
    }

    @Test func happyPathAndRecovery() throws {
        var s = JobState.pending
        for event in [JobEvent.enqueue, .start, .leaseLost, .start, .complete] {
            s = try s.applying(event)
        }
        #expect(s == .completed)
        // Stop, then resume from a checkpoint.
        s = try JobState.running.applying(.requestStop).applying(.runnerStopped).applying(.resume)
        #expect(s == .queued)
    }

    @Test func classification() {
        #expect(JobState.allCases.filter(\.isTerminal) == [.completed, .failed, .stopped])
        #expect(JobState.allCases.filter(\.holdsDevices) == [.running, .stopping])
        #expect(JobState(rawValue: "pending") == .pending)
        #expect(JobEvent.leaseLost.rawValue == "lease_lost")
    }

    @Test func errorMessage() {
        #expect(IllegalTransition(from: .completed, event: .requestStop).description == "a completed job cannot request stop")
    }

    @Test func everyStateIsReachableFromPending() throws {
        var seen: Set<JobState> = [.pending]
        var frontier: [JobState] = [.pending]
        while let state = frontier.popLast() {
            for event in state.allowedEvents {
                let next = try state.applying(event)
                if seen.insert(next).inserted { frontier.append(next) }
            }
        }
        #expect(seen == Set(JobState.allCases))
    }
}
