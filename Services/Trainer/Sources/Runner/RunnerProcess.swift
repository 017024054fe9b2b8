import Foundation
import TrainerDomain

#if canImport(Glibc)
import Glibc
#endif

/// What a runner process produces: stdout lines, then its exit.
enum RunnerOutput: Sendable {
    case line(String)
    case exit(RunnerExit)
}

/// A `python -m mlops_ml train` child in its own process group (so a stop
/// signals it and anything it spawned), stdout read line by line on a
/// dedicated thread (a blocking read must not hold the cooperative pool),
/// stderr appended to the job's log file. The runner itself asks for
/// SIGTERM when its parent dies (PR_SET_PDEATHSIG), so a killed trainer
/// never leaves it running unsupervised.
final class RunnerProcess: Sendable {
    let pid: pid_t
    let output: AsyncStream<RunnerOutput>

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    init(executable: String, arguments: [String], environment: [String: String], stderrPath: String) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe failed (errno \(errno))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addclose(&actions, readEnd)
        posix_spawn_file_actions_addclose(&actions, writeEnd)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(writeEnd)
        guard status == 0 else {
            close(readEnd)
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = child
        let childPID = child
        let (stream, continuation) = AsyncStream<RunnerOutput>.makeStream(bufferingPolicy: .unbounded)
        output = stream
        let thread = Thread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                var start = 0
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    continuation.yield(.line(String(decoding: pending[start..<newline], as: UTF8.self)))
                    start = newline + 1
                }
                pending.removeFirst(start)
            }
            if !pending.isEmpty { continuation.yield(.line(String(decoding: pending, as: UTF8.self))) }
            close(readEnd)
            var waitStatus: Int32 = 0
            while waitpid(childPID, &waitStatus, 0) < 0 && errno == EINTR {}
            // WIFSIGNALED / WEXITSTATUS, spelled out (the macros are not imported).
            let signal = waitStatus & 0x7f
            if signal != 0 && signal != 0x7f {
                continuation.yield(.exit(RunnerExit(code: signal, terminatedBySignal: true)))
            } else {
                continuation.yield(.exit(RunnerExit(code: (waitStatus >> 8) & 0xff)))
            }
            continuation.finish()
        }
        thread.name = "runner-\(childPID)"
        thread.start()
    }

    /// Signals the runner's whole process group.
    func signal(_ signal: Int32) {
        _ = kill(-pid, signal)
    }
}
