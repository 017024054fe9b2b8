/// A first-in first-out queue with O(1) amortised push and pop, and in-place
/// filtering. (Array.removeFirst is O(n), which matters at 10k queued requests.)
struct FIFO<Element> {
    private var storage: [Element?] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ element: Element) { storage.append(element) }

    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        storage[head] = nil
        head += 1
        if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    var first: Element? { head < storage.count ? storage[head] : nil }

    /// Removes and returns, in order, every element matching `shouldRemove`.
    mutating func removeAll(where shouldRemove: (Element) -> Bool) -> [Element] {
        var kept: [Element?] = []
        var removed: [Element] = []
        kept.reserveCapacity(count)
        for index in head..<storage.count {
            let element = storage[index]!
            if shouldRemove(element) { removed.append(element) } else { kept.append(element) }
        }
        if !removed.isEmpty {
            storage = kept
            head = 0
        }
        return removed
    }

    func contains(where predicate: (Element) -> Bool) -> Bool {
        for index in head..<storage.count where predicate(storage[index]!) { return true }
        return false
    }
}

extension FIFO: Sendable where Element: Sendable {}
