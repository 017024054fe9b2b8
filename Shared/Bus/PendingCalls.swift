/// The client's table of requests awaiting a reply, keyed by request id, with
/// deadlines. Pure: the I/O loop owns one and passes the time in.
struct PendingCalls<Waiter> {
    private var entries: [String: (waiter: Waiter, deadline: Int64)] = [:]
    private var earliestDeadline: Int64 = .max

    var count: Int { entries.count }

    mutating func add(id: String, deadline: Int64, waiter: Waiter) {
        entries[id] = (waiter, deadline)
        earliestDeadline = min(earliestDeadline, deadline)
    }

    /// The waiter for a reply; nil for a reply nobody waits for any more (late, or a duplicate).
    mutating func complete(id: String) -> Waiter? {
        entries.removeValue(forKey: id)?.waiter
    }

    /// Removes and returns every waiter whose deadline has passed.
    mutating func expire(now: Int64) -> [Waiter] {
        guard now >= earliestDeadline else { return [] }
        var expired: [Waiter] = []
        var earliest = Int64.max
        for (id, entry) in entries {
            if entry.deadline <= now {
                expired.append(entry.waiter)
                entries[id] = nil
            } else {
                earliest = min(earliest, entry.deadline)
            }
        }
        earliestDeadline = earliest
        return expired
    }

    mutating func removeAll() -> [Waiter] {
        let all = entries.values.map(\.waiter)
        entries = [:]
        earliestDeadline = .max
        return all
    }

    /// Milliseconds until the next deadline, or nil when nothing is pending.
    func nextDeadline() -> Int64? { entries.isEmpty ? nil : earliestDeadline }
}
