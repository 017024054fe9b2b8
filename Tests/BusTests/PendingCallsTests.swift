import Testing

@testable import Bus

@Suite struct PendingCallsTests {
    @Test func completesByIdAndIgnoresUnknownIds() {
        var table = PendingCalls<String>()
        table.add(id: "a", deadline: 100, waiter: "A")
        table.add(id: "b", deadline: 200, waiter: "B")
        #expect(table.complete(id: "b") == "B")
        #expect(table.complete(id: "b") == nil)
        #expect(table.complete(id: "zzz") == nil)
        #expect(table.count == 1)
    }

    @Test func expiresOnlyWhatIsDue() {
        var table = PendingCalls<String>()
        table.add(id: "a", deadline: 100, waiter: "A")
        table.add(id: "b", deadline: 200, waiter: "B")
        #expect(table.nextDeadline() == 100)
        #expect(table.expire(now: 99).isEmpty)
        #expect(table.expire(now: 150) == ["A"])
        #expect(table.nextDeadline() == 200)
        #expect(table.complete(id: "a") == nil)
    }
}

@Suite struct FIFOTests {
    @Test func keepsOrderAcrossCompaction() {
        var queue = FIFO<Int>()
        for value in 0..<1000 { queue.append(value) }
        for expected in 0..<900 { #expect(queue.popFirst() == expected) }
        queue.append(1000)
        #expect(queue.count == 101)
        let removed = queue.removeAll { $0 % 2 == 0 }
        #expect(removed.first == 900 && removed.count == 51)
        #expect(queue.popFirst() == 901)
    }
}
