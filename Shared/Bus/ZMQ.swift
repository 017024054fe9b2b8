import CZeroMQ
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A libzmq error with its errno text.
public struct ZMQError: Error, CustomStringConvertible {
    public let operation: String
    public let errno: Int32
    public var description: String { "\(operation): \(String(cString: zmq_strerror(errno)))" }

    static func last(_ operation: String) -> ZMQError { ZMQError(operation: operation, errno: zmq_errno()) }
}

/// A libzmq context. Contexts are thread-safe, so this one may be shared.
public final class ZMQContext: Sendable {
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer

    public init() {
        handle = zmq_ctx_new()!
    }

    /// Makes blocking calls on this context's sockets return ETERM (thread-safe).
    func shutdown() { zmq_ctx_shutdown(handle) }

    deinit { zmq_ctx_term(handle) }

    /// One context per process is enough and keeps libzmq's own I/O threads to one.
    public static let shared = ZMQContext()
}

/// A socket. Not Sendable on purpose: it is created, used and closed on one I/O thread.
final class ZMQSocket {
    let handle: UnsafeMutableRawPointer
    private let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)

    init(_ context: ZMQContext, type: Int32) throws {
        guard let handle = zmq_socket(context.handle, type) else { throw ZMQError.last("zmq_socket") }
        self.handle = handle
        setOption(ZMQ_LINGER, 0)
    }

    deinit {
        zmq_close(handle)
        message.deallocate()
    }

    func setOption(_ option: Int32, _ value: Int32) {
        var value = value
        zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size)
    }

    func setOption(_ option: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
    }

    /// Checks an endpoint's syntax on the caller's thread (by connecting a
    /// throwaway socket), so a typo fails the constructor, not a background loop.
    static func validate(endpoint: String, type: Int32, context: ZMQContext) throws {
        let socket = try ZMQSocket(context, type: type)
        try socket.connect(endpoint)
    }

    func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("zmq_bind \(endpoint)") }
    }

    func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("zmq_connect \(endpoint)") }
    }

    /// Sends all frames as one multipart message without blocking. False when
    /// libzmq refused (no route, high-water mark): the caller decides what that means.
    @discardableResult
    func send(_ frames: [Frame]) -> Bool {
        for (index, frame) in frames.enumerated() {
            if !sendPart(frame, more: index < frames.count - 1) { return false }
        }
        return true
    }

    /// Sends one part of a multipart message; `more` when parts follow. For hot
    /// paths that would otherwise build an array of frames per message.
    @inline(__always)
    func sendPart(_ frame: Frame, more: Bool) -> Bool {
        frame.withUnsafeBytes { sendPart($0, more: more) }
    }

    /// A text part, sent from the string's own UTF-8 storage.
    @inline(__always)
    func sendPart(_ text: String, more: Bool) -> Bool {
        var text = text
        return text.withUTF8 { sendPart(UnsafeRawBufferPointer($0), more: more) }
    }

    @inline(__always)
    func sendPart(_ bytes: UnsafeRawBufferPointer, more: Bool) -> Bool {
        zmq_send(handle, bytes.baseAddress, bytes.count, ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0)) >= 0
    }

    /// The descriptor libzmq signals when this socket's state may have changed
    /// (see `ReadinessPoller`): not the TCP connection, and never read by us.
    var signalDescriptor: Int32 {
        var fd: Int32 = -1
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(handle, ZMQ_FD, &fd, &size)
        return fd
    }

    /// Whether a message is waiting; also consumes libzmq's pending signals.
    var hasInput: Bool {
        var events: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(handle, ZMQ_EVENTS, &events, &size) == 0 else { return false }
        return events & Int32(ZMQ_POLLIN) != 0
    }

    /// Receives one whole multipart message into `frames` (replacing what it
    /// held; its storage is reused across calls), or returns false when none is waiting.
    func receive(into frames: inout [Frame]) -> Bool {
        receive(into: &frames, userId: nil)
    }

    /// The same, also setting `userId` to the ZAP user id that authenticated the
    /// sender (RFC 27; "" when none), read from the first frame's metadata. Only
    /// the broker with CURVE on asks: it costs a property lookup per message.
    func receive(into frames: inout [Frame], userId: inout String) -> Bool {
        withUnsafeMutablePointer(to: &userId) { receive(into: &frames, userId: $0) }
    }

    @inline(__always)
    private func receive(into frames: inout [Frame], userId: UnsafeMutablePointer<String>?) -> Bool {
        frames.removeAll(keepingCapacity: true)
        while true {
            zmq_msg_init(message)
            if zmq_msg_recv(message, handle, ZMQ_DONTWAIT) < 0 {
                zmq_msg_close(message)
                return !frames.isEmpty
            }
            // The first frame that carries the connection's metadata names the
            // peer; a routing-id frame can come without it, the body frames with.
            if let userId, frames.isEmpty || userId.pointee.isEmpty {
                userId.pointee = zmq_msg_gets(message, "User-Id").map { String(cString: $0) } ?? ""
            }
            let size = zmq_msg_size(message)
            if let data = zmq_msg_data(message), size > 0 {
                let bytes = UnsafeRawBufferPointer(start: data, count: size)
                frames.append(MDP.constantFrame(equalTo: bytes) ?? Array(bytes))
            } else {
                frames.append([])
            }
            let more = zmq_msg_more(message) != 0
            zmq_msg_close(message)
            if !more { return true }
        }
    }
}

/// Polls sockets and plain file descriptors together.
struct ZMQPoller {
    private(set) var items: [zmq_pollitem_t] = []

    mutating func add(_ socket: ZMQSocket) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    mutating func add(fd: Int32) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0))
        return items.count - 1
    }

    /// Waits up to `timeoutMs` (-1: forever). Returns false on ETERM.
    mutating func poll(timeoutMs: Int) -> Bool {
        let rc = pollOnce(timeoutMs: timeoutMs)
        if rc < 0 && zmq_errno() == ETERM { return false }
        return true
    }

    private mutating func pollOnce(timeoutMs: Int) -> Int32 {
        items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), timeoutMs) }
    }

    func isReadable(_ index: Int) -> Bool { items[index].revents & Int16(ZMQ_POLLIN) != 0 }
}

/// Waits on many sockets at a cost that grows with the ready ones only.
///
/// zmq_poll asks every socket for its state before and after sleeping, so a
/// worker with 32 slot sockets paid 64 getsockopt calls and a 33-descriptor
/// poll per request. This keeps the descriptors in an epoll set instead.
///
/// A socket's signal descriptor only says "look at me": libzmq consumes the
/// signal in whichever call on the socket runs next, a send included. So the
/// loop must (1) read a ready socket until `receive` returns nil, and (2) after
/// sending on a socket outside that loop, check `hasInput` before sleeping
/// (`ReadinessPoller` leaves that bookkeeping to the loop, which knows when it sent).
struct ReadinessPoller: ~Copyable {
    private let epollDescriptor: Int32
    private var ready: [UInt64] = Array(repeating: 0, count: 64)

    init() {
        epollDescriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epollDescriptor >= 0, "epoll_create1 failed: \(errno)")
    }

    deinit { Glibc.close(epollDescriptor) }

    func add(fd: Int32, tag: UInt64) {
        let rc = mlops_epoll_add(epollDescriptor, fd, tag)
        precondition(rc == 0, "epoll_ctl ADD failed: \(errno)")
    }

    /// Must be called before the descriptor's socket is closed.
    func remove(fd: Int32) {
        _ = mlops_epoll_remove(epollDescriptor, fd)
    }

    /// Waits up to `timeoutMs` (-1: forever) and returns the ready tags.
    mutating func wait(timeoutMs: Int) -> ArraySlice<UInt64> {
        let count = ready.withUnsafeMutableBufferPointer { buffer in
            mlops_epoll_wait(epollDescriptor, buffer.baseAddress, Int32(buffer.count), Int32(clamping: timeoutMs))
        }
        return ready[0..<max(0, Int(count))]
    }
}

/// Commands from async callers to one I/O thread: a locked queue plus an
/// eventfd the thread polls, so posting wakes the loop immediately.
///
/// A loop that also runs work posted from its own thread (the client's task
/// executor) calls `bindToCurrentThread`: posts from that thread then skip the
/// eventfd (the thread is awake by definition), and the loop must check
/// `hasCommands` before it sleeps.
final class Mailbox<Command: Sendable>: Sendable {
    private struct State {
        var commands: [Command] = []
        var closed = false
    }

    private let state = Mutex(State())
    /// The bound loop thread (`pthread_self`), 0 when none.
    private let loopThread = Atomic<UInt>(0)
    let fd: Int32

    init() {
        fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(fd >= 0, "eventfd failed")
    }

    deinit { Glibc.close(fd) }

    /// Called once by the loop thread that drains this mailbox.
    func bindToCurrentThread() { loopThread.store(UInt(pthread_self()), ordering: .releasing) }

    /// Whether the calling thread is the bound loop thread.
    var isLoopThread: Bool {
        let bound = loopThread.load(ordering: .acquiring)
        return bound != 0 && bound == UInt(pthread_self())
    }

    /// Queues a command for the loop; false once the loop has closed the mailbox.
    @discardableResult
    func post(_ command: Command) -> Bool {
        let (accepted, wasEmpty) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            let wasEmpty = state.commands.isEmpty
            state.commands.append(command)
            return (true, wasEmpty)
        }
        // Only the first command after a drain needs to wake the loop, and
        // never when the loop posts to itself.
        if wasEmpty && !isLoopThread {
            var one: UInt64 = 1
            _ = write(fd, &one, 8)
        }
        return accepted
    }

    var hasCommands: Bool { state.withLock { !$0.commands.isEmpty } }

    /// Called by the I/O thread: resets the eventfd, then takes everything queued.
    func drain() -> [Command] {
        var counter: UInt64 = 0
        _ = read(fd, &counter, 8)
        return state.withLock { state in
            let commands = state.commands
            state.commands.removeAll(keepingCapacity: true)
            return commands
        }
    }

    /// Called by the I/O thread as it exits: refuses further posts and returns what was left.
    func close() -> [Command] {
        state.withLock { state in
            state.closed = true
            let commands = state.commands
            state.commands = []
            return commands
        }
    }
}

/// Starts `body` on a dedicated OS thread (never on Swift's cooperative pool).
func startIOThread(name: String, _ body: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(ThreadBody(name: String(name.prefix(15)), body))
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attributes, { raw in
        let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
        body.run()
        return nil
    }, box.toOpaque())
    pthread_attr_destroy(&attributes)
    precondition(rc == 0, "pthread_create failed: \(rc)")
}

private final class ThreadBody: Sendable {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }

    func run() {
        mlops_set_thread_name(name)
        body()
    }
}
