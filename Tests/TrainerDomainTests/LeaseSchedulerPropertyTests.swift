import Foundation
import Testing
@testable import TrainerDomain

/// Random inventories, leases and queues (seeded), checked against the
/// scheduler's invariants.
@Suite struct LeaseSchedulerPropertyTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Scenario {
        var inventory: [DeviceID]
        var leases: [Lease]
        var queue: [QueuedJob]
    }

    func randomScenario(_ rng: inout SplitMix64) -> Scenario {
        let kind: DeviceID.Kind = Int.random(in: 0..<4, using: &rng) == 0 ? .cpu : .gpu
        let universe = (0..<8).map { DeviceID(kind: kind, index: $0) }
        let inventory = universe.filter { _ in Int.random(in: 0..<3, using: &rng) > 0 }
        var leases: [Lease] = []
        for device in universe where Bool.random(using: &rng) {
            leases.append(Lease(device: device, jobID: Int64.random(in: 1000...1010, using: &rng),
                                expiresAt: now.addingTimeInterval(Double(Int.random(in: -30...30, using: &rng)))))
        }
        var queue: [QueuedJob] = []
        for id in 1...Int64.random(in: 1...12, using: &rng) {
            let request: DeviceRequest
            if Bool.random(using: &rng) {
                request = .count(Int.random(in: 1...max(1, inventory.count + 1), using: &rng))
            } else {
                let size = Int.random(in: 1...3, using: &rng)
                request = .ids(Array(Set((0..<size).map { _ in universe.randomElement(using: &rng)! })).sorted())
            }
            queue.append(QueuedJob(id: id, priority: Int.random(in: -1...1, using: &rng),
                                   createdAt: now.addingTimeInterval(-Double(Int.random(in: 0...5, using: &rng))),
                                   request: request))
        }
        return Scenario(inventory: inventory, leases: leases, queue: queue)
    }

    func wanted(_ job: QueuedJob, free: Set<DeviceID>) -> Set<DeviceID> {
        if case .ids(let ids) = job.request { return Set(ids) }
        return free
    }

    func satisfiable(_ request: DeviceRequest, from devices: Set<DeviceID>) -> Bool {
        switch request {
        case .ids(let ids): Set(ids).isSubset(of: devices)
        case .count(let n): devices.count >= n
        }
    }

    @Test func invariantsHoldOnRandomScenarios() {
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<1500 {
            let s = randomScenario(&rng)
            let plan = LeaseScheduler.plan(inventory: s.inventory, leases: s.leases, queue: s.queue, now: now)
            check(s, plan)
            // Deterministic whatever the input order.
            var shuffled = s.queue
            shuffled.shuffle(using: &rng)
            #expect(LeaseScheduler.plan(inventory: s.inventory.shuffled(using: &rng), leases: s.leases,
                                        queue: shuffled, now: now) == plan)
        }
    }

    func check(_ s: Scenario, _ plan: SchedulePlan) {
        let inventory = Set(s.inventory)
        let busy = Set(s.leases.filter { now < $0.expiresAt }.map(\.device))
        let free = inventory.subtracting(busy)
        let order = s.queue.sorted(by: LeaseScheduler.precedes).map(\.id)
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        let byID = Dictionary(uniqueKeysWithValues: s.queue.map { ($0.id, $0) })

        // Every job in exactly one list, each list in queue order.
        let all = plan.starts.map(\.jobID) + plan.waiting.map(\.jobID) + plan.unsatisfiable.map(\.jobID)
        #expect(all.sorted() == order.sorted())
        for ids in [plan.starts.map(\.jobID), plan.waiting.map(\.jobID), plan.unsatisfiable.map(\.jobID)] {
            #expect(ids == ids.sorted { rank[$0]! < rank[$1]! })
        }

        // Unsatisfiable exactly when no inventory state could serve the request.
        for job in s.queue {
            let never = !satisfiable(job.request, from: inventory)
            #expect(never == plan.unsatisfiable.contains { $0.jobID == job.id })
        }

        // Starts: free devices only, exactly the request, no device twice (also not with reservations).
        var used = Set<DeviceID>()
        for start in plan.starts {
            let devices = Set(start.devices)
            #expect(devices.count == start.devices.count)
            #expect(devices.isSubset(of: free))
            #expect(used.isDisjoint(with: devices), "device double-booked")
            used.formUnion(devices)
            switch byID[start.jobID]!.request {
            case .ids(let ids): #expect(devices == Set(ids))
            case .count(let n): #expect(devices.count == n)
            }
        }
        for waiting in plan.waiting {
            let reserved = Set(waiting.reserved)
            #expect(reserved.isSubset(of: free))
            #expect(used.isDisjoint(with: reserved), "reserved device reused")
            used.formUnion(reserved)
        }

        for waiting in plan.waiting {
            let w = byID[waiting.jobID]!
            // No overtaking: a job behind a waiting one never takes a device the waiting one could use.
            for start in plan.starts where rank[start.jobID]! > rank[w.id]! {
                #expect(Set(start.devices).isDisjoint(with: wanted(w, free: free)),
                        "job \(start.jobID) overtook \(w.id) on a device it wants")
            }
            // Work-conserving: it really could not start on what was left when its turn came.
            let takenAhead = plan.starts.filter { rank[$0.jobID]! < rank[w.id]! }.flatMap(\.devices)
                + plan.waiting.filter { rank[$0.jobID]! < rank[w.id]! }.flatMap(\.reserved)
            #expect(!satisfiable(w.request, from: free.subtracting(takenAhead)))
        }
    }

    /// A 4-GPU job at the head of the queue, with 1-GPU jobs arriving every
    /// tick behind it: it starts as soon as the jobs already running end.
    @Test func bigJobStartsDespiteAStreamOfSmallOnes() {
        var rng = SplitMix64(seed: 99)
        let inventory = (0..<4).map(DeviceID.gpu)
        var leases = (0..<3).map { Lease(device: .gpu($0), jobID: 100 + Int64($0), expiresAt: now.addingTimeInterval(Double(2 + $0))) }
        var queue = [QueuedJob(id: 1, priority: 0, createdAt: now, request: .count(4))]
        var nextID: Int64 = 2
        var bigStartedAt: Int?
        for tick in 1...30 {
            let time = now.addingTimeInterval(Double(tick))
            queue.append(QueuedJob(id: nextID, priority: 0, createdAt: time, request: .count(1)))
            nextID += 1
            leases = leases.filter { $0.isActive(at: time) }  // finished jobs release their devices
            let plan = LeaseScheduler.plan(inventory: inventory, leases: leases, queue: queue, now: time)
            for start in plan.starts {
                let duration = Double(Int.random(in: 1...6, using: &rng))
                leases += start.devices.map { Lease(device: $0, jobID: start.jobID, expiresAt: time.addingTimeInterval(duration)) }
                if start.jobID == 1 { bigStartedAt = tick }
            }
            queue.removeAll { job in plan.starts.contains { $0.jobID == job.id } }
        }
        // The initial leases end by tick 4; only then may the big job run, and nothing else before it.
        #expect(bigStartedAt == 4)
    }

    /// With no new arrivals, every satisfiable job eventually runs
    /// (jobs finish after random durations), whatever the mix.
    @Test func everySatisfiableJobEventuallyRuns() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<100 {
            var s = randomScenario(&rng)
            s.leases = s.leases.filter { $0.jobID >= 1000 }
            let satisfiableIDs = Set(s.queue.filter { satisfiable($0.request, from: Set(s.inventory)) }.map(\.id))
            var started = Set<Int64>()
            var leases = s.leases
            var queue = s.queue
            for tick in 0..<200 where !queue.isEmpty {
                let time = now.addingTimeInterval(Double(tick))
                let plan = LeaseScheduler.plan(inventory: s.inventory, leases: leases, queue: queue, now: time)
                for start in plan.starts {
                    started.insert(start.jobID)
                    let end = time.addingTimeInterval(Double(Int.random(in: 1...5, using: &rng)))
                    leases += start.devices.map { Lease(device: $0, jobID: start.jobID, expiresAt: end) }
                }
                let gone = Set(plan.starts.map(\.jobID) + plan.unsatisfiable.map(\.jobID))
                queue.removeAll { gone.contains($0.id) }
            }
            #expect(started == satisfiableIDs)
        }
    }
}
