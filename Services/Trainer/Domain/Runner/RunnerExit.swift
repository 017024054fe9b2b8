/// How the runner process ended (ml/README.md: 0 done, 1 failure, 2 bad
/// spec/input/arguments, 143 stopped by SIGTERM/SIGINT).
public enum RunnerExit: Sendable, Hashable {
    case completed
    case failed
    case badSpec
    case stopped
    /// Killed by a signal (SIGKILL, OOM killer, …) or another code.
    case crashed(code: Int32)

    /// From `Process.terminationStatus`; with `terminatedBySignal` (an
    /// `.uncaughtSignal` termination) `code` is the signal number: SIGTERM or
    /// SIGINT before the runner's handler was installed count as stopped,
    /// other signals as `crashed(code: 128 + signal)`.
    public init(code: Int32, terminatedBySignal: Bool = false) {
        if terminatedBySignal {
            self = (code == 15 || code == 2) ? .stopped : .crashed(code: 128 + code)
            return
        }
        switch code {
        case 0: self = .completed
        case 1: self = .failed
        case 2: self = .badSpec
        case 143, 130: self = .stopped
        default: self = .crashed(code: code)
        }
    }
}
