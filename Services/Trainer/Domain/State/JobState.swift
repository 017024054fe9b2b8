/// A fine-tuning job's status (`finetuning_jobs.status`). The row is the
/// truth, so any trainer instance can pick the job up (ARCHITECTURE.md).
///
/// ```
/// pending → queued → running → completed | failed
///              ↑        ├─ leaseLost → queued (resume from last checkpoint)
///              │        └─ requestStop → stopping → stopped
///              └──────── resume ── stopped | failed
/// ```
///
/// | from | event | to |
/// |---|---|---|
/// | pending | enqueue (inputs ready) | queued |
/// | pending, queued | requestStop | stopped (nothing runs yet) |
/// | pending, queued | fail (bad input, unsatisfiable devices) | failed |
/// | queued | start (leases granted, runner launched) | running |
/// | running | requestStop (SIGTERM sent) | stopping |
/// | running, stopping | complete (`result`, exit 0) | completed |
/// | running, stopping | fail (`error`, or a crash) | failed |
/// | running | leaseLost (lease expired, trainer died, or the runner stopped without a stop request) | queued — resumes from its last checkpoint |
/// | stopping | requestStop (again) | stopping (idempotent: the service may re-send SIGTERM) |
/// | stopping | runnerStopped (`stopped`, exit 143) | stopped |
/// | stopping | leaseLost | stopped (the user wanted it stopped) |
/// | stopped, failed | resume (from a checkpoint) | queued |
///
/// Every other pair is an `IllegalTransition`. `completed` is final.
public enum JobState: String, Sendable, CaseIterable, Codable {
    case pending, queued, running, stopping, completed, failed, stopped

    /// No runner process and no lease: completed, failed, stopped.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .stopped: true
        case .pending, .queued, .running, .stopping: false
        }
    }

    /// A runner process exists and the job holds device leases: running, stopping.
    public var holdsDevices: Bool { self == .running || self == .stopping }

    /// The state after `event`, or `IllegalTransition`.
    public func applying(_ event: JobEvent) throws(IllegalTransition) -> JobState {
        guard let next = JobState.table[self]?[event] else {
            throw IllegalTransition(from: self, event: event)
        }
        return next
    }

    /// Events allowed in this state.
    public var allowedEvents: Set<JobEvent> { Set((JobState.table[self] ?? [:]).keys) }

    private static let table: [JobState: [JobEvent: JobState]] = [
        .pending: [.enqueue: .queued, .requestStop: .stopped, .fail: .failed],
        .queued: [.start: .running, .requestStop: .stopped, .fail: .failed],
        .running: [.requestStop: .stopping, .complete: .completed, .fail: .failed, .leaseLost: .queued],
        .stopping: [.requestStop: .stopping, .complete: .completed, .fail: .failed,
                    .runnerStopped: .stopped, .leaseLost: .stopped],
        .stopped: [.resume: .queued],
        .failed: [.resume: .queued],
        .completed: [:],
    ]
}

/// What happens to a job (see the table on `JobState`).
public enum JobEvent: String, Sendable, CaseIterable, Codable {
    /// Inputs are ready (dataset exported); the job may be scheduled.
    case enqueue
    /// The scheduler granted its devices and the runner was launched.
    case start
    /// A user (or pipeline) asked to stop.
    case requestStop = "request_stop"
    /// The runner reported `result` and exited 0.
    case complete
    /// The runner reported `error` or crashed, or the job cannot run.
    case fail
    /// The runner reported `stopped` / exited 143 after a stop request.
    case runnerStopped = "runner_stopped"
    /// Its lease expired (trainer instance died or lost the database).
    case leaseLost = "lease_lost"
    /// A user resumes a stopped or failed job from a checkpoint.
    case resume
}

/// `event` is not allowed in state `from`.
public struct IllegalTransition: Error, Sendable, Hashable, CustomStringConvertible {
    public let from: JobState
    public let event: JobEvent

    public init(from: JobState, event: JobEvent) {
        self.from = from
        self.event = event
    }

    public var description: String { "a \(from.rawValue) job cannot \(event.rawValue.split(separator: "_").joined(separator: " "))" }
}
