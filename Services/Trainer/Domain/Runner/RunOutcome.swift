import Foundation

/// How one runner process ended, decided from its exit and what it said on
/// the way (`result`, `error`) and why the trainer may have ended it: the
/// job's next event (see `JobState`), the reason written on the row, and the
/// error to show. Pure, so every exit × state pair is unit-tested.
public struct RunOutcome: Sendable, Hashable {
    public var event: JobEvent
    public var reason: String
    public var error: Failure?

    public struct Failure: Sendable, Hashable {
        public var message: String
        public var field: String?

        public init(message: String, field: String? = nil) {
            self.message = message
            self.field = field
        }
    }

    /// What the supervisor knew when the process exited.
    public struct Observed: Sendable, Hashable {
        public var result: RunnerEvent.Result?
        public var failure: Failure?
        /// This trainer is shutting down and sent SIGTERM to hand the job back.
        public var shuttingDown: Bool
        /// The device lease was gone; the trainer killed the runner.
        public var leaseLost: Bool

        public init(result: RunnerEvent.Result? = nil, failure: Failure? = nil, shuttingDown: Bool = false, leaseLost: Bool = false) {
            self.result = result
            self.failure = failure
            self.shuttingDown = shuttingDown
            self.leaseLost = leaseLost
        }
    }

    public init(event: JobEvent, reason: String, error: Failure? = nil) {
        self.event = event
        self.reason = reason
        self.error = error
    }

    /// The outcome of a run whose job is in `current` (running or stopping).
    /// A run that ended without the user asking is handed back to the queue
    /// (`leaseLost`: resumes from its last checkpoint), never failed, unless
    /// the runner itself failed.
    public static func decide(_ exit: RunnerExit, current: JobState, observed: Observed) -> RunOutcome {
        let stopRequested = current == .stopping
        if observed.leaseLost {
            return RunOutcome(event: .leaseLost, reason: "the device lease was lost; resumes from its last checkpoint")
        }
        switch exit {
        case .completed:
            guard let result = observed.result else {
                return RunOutcome(event: .fail, reason: "failed: the runner exited 0 without a result event",
                                  error: Failure(message: "the runner exited 0 without a result event"))
            }
            let loss = result.metrics["loss"] ?? result.metrics["train_loss"]
            return RunOutcome(event: .complete,
                              reason: "completed at step \(result.step ?? 0)" + (loss.map { String(format: ", loss %.4f", $0) } ?? ""))
        case .failed, .badSpec:
            let error = observed.failure
                ?? Failure(message: "the runner failed (exit \(exit == .badSpec ? 2 : 1)) without an error event; see the log")
            return RunOutcome(event: .fail, reason: "failed: \(error.message)", error: error)
        case .stopped:
            if stopRequested { return RunOutcome(event: .runnerStopped, reason: "stopped by request") }
            return RunOutcome(event: .leaseLost, reason: observed.shuttingDown
                ? "its trainer shut down; resumes from its last checkpoint"
                : "the runner was stopped from outside; resumes from its last checkpoint")
        case .crashed(let code):
            // SIGKILL after the stop grace period: the user still gets `stopped`.
            if stopRequested && code == 128 + 9 {
                return RunOutcome(event: .runnerStopped, reason: "stopped by request (killed after the grace period)")
            }
            if observed.shuttingDown && !stopRequested {
                return RunOutcome(event: .leaseLost, reason: "its trainer shut down; resumes from its last checkpoint")
            }
            let message = code > 128 ? "the runner was killed by signal \(code - 128)" : "the runner exited with code \(code)"
            return RunOutcome(event: .fail, reason: "failed: \(observed.failure?.message ?? message)",
                              error: Failure(message: observed.failure?.message ?? message, field: observed.failure?.field))
        }
    }
}
