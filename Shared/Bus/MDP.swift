// Bus: the only code that touches libzmq.
//
// Threading model (see ARCHITECTURE.md, "Bus threading model"):
// libzmq sockets are not thread-safe, and Swift's cooperative pool has only as
// many threads as cores and must never block. So every endpoint (client,
// worker group, publisher, subscriber, broker) owns one dedicated I/O thread
// (`IOThread`) that creates its sockets, uses them, and closes them; no socket
// pointer ever leaves that thread. Async callers talk to the thread only
// through a `Mailbox`: a mutex-protected queue plus an eventfd that the thread
// waits on beside its sockets (one epoll set holding the eventfd and each
// socket's ZMQ_FD; see `ReadinessPoller`), so posting a command wakes the loop
// at once without a busy wait. Results go back by resuming the caller's
// continuation (client, matched by request id) or by starting a task per
// request (worker) or through an AsyncStream (subscriber events). The client's
// I/O thread is also a task executor (`BusClient.executor`): a task that
// prefers it has its jobs posted to the same mailbox and run between socket
// turns, so its calls are sent and resumed without a thread hand-off; the
// socket is still touched by that one thread only. The protocol decisions
// themselves (who is alive, what to send, what has expired) live in pure state
// machines (`BrokerStateMachine`, `WorkerStateMachine`, `PendingCalls`) that
// take time as an argument and are unit-tested without sockets or sleeps.

/// Majordomo (ZeroMQ RFC 7, MDP/0.1) framing constants.
public enum MDP {
    public static let clientHeader: [UInt8] = Array("MDPC01".utf8)
    public static let workerHeader: [UInt8] = Array("MDPW01".utf8)

    public enum Command: UInt8, Sendable {
        case ready = 1
        case request = 2
        case reply = 3
        case heartbeat = 4
        case disconnect = 5

        /// The command's frame, made once: a literal `[rawValue]` is an allocation per message.
        var frame: Frame {
            switch self {
            case .ready: MDP.commandFrames[0]
            case .request: MDP.commandFrames[1]
            case .reply: MDP.commandFrames[2]
            case .heartbeat: MDP.commandFrames[3]
            case .disconnect: MDP.commandFrames[4]
            }
        }
    }

    private static let commandFrames: [Frame] = [[1], [2], [3], [4], [5]]

    /// The shared copy of a protocol header or command frame with these bytes,
    /// so receiving one costs no allocation (every message carries one or two).
    static func constantFrame(equalTo bytes: UnsafeRawBufferPointer) -> Frame? {
        switch bytes.count {
        case 1:
            let byte = bytes[0]
            return byte >= 1 && byte <= 5 ? commandFrames[Int(byte) - 1] : nil
        case 6:
            if bytes.elementsEqual(clientHeader) { return clientHeader }
            if bytes.elementsEqual(workerHeader) { return workerHeader }
            return nil
        default:
            return nil
        }
    }

    /// RFC 8 (MMI): service names starting with this prefix are answered by the broker.
    public static let mmiPrefix = "mmi."
}

/// A routing identity assigned by a ROUTER socket.
public typealias Identity = [UInt8]

/// One ZeroMQ message part.
public typealias Frame = [UInt8]

/// Wall-clock milliseconds since the Unix epoch; deadlines on the wire use the same clock.
public func unixMillisNow() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
