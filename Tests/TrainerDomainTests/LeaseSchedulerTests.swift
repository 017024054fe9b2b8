import Foundation
import Testing
@testable import TrainerDomain

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

private func job(_ id: Int64, priority: Int = 0, age: TimeInterval = 0, _ request: DeviceRequest) -> QueuedJob {
    QueuedJob(id: id, priority: priority, createdAt: t0.addingTimeInterval(-age), request: request)
}

private func lease(_ device: DeviceID, job: Int64, expiresIn seconds: TimeInterval) -> Lease {
    Lease(device: device, jobID: job, expiresAt: t0.addingTimeInterval(seconds))
}

@Suite struct LeaseSchedulerTests {
    let twoGPUs: [DeviceID] = [.gpu(0), .gpu(1)]

    @Test func twoGPUsRunTwoJobs() {
        // Seed §16: 2 GPUs → 2 concurrent jobs; the third waits.
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: [],
                                       queue: [job(1, age: 30, .count(1)), job(2, age: 20, .count(1)),
                                               job(3, age: 10, .count(1))], now: t0)
        #expect(plan.starts.map(\.jobID) == [1, 2])
        #expect(Set(plan.starts.flatMap(\.devices)) == Set(twoGPUs))
        #expect(plan.waiting == [.init(jobID: 3, reserved: [])])
        #expect(plan.unsatisfiable.isEmpty)
    }

    @Test func priorityThenAgeThenID() {
        let a = job(5, priority: 0, age: 100, .count(1))
        let b = job(6, priority: 1, age: 1, .count(1))
        let c = job(4, priority: 0, age: 100, .count(1))
        #expect([a, b, c].sorted(by: LeaseScheduler.precedes).map(\.id) == [6, 4, 5])
        let plan = LeaseScheduler.plan(inventory: [.gpu(0)], leases: [], queue: [a, b, c], now: t0)
        #expect(plan.starts == [.init(jobID: 6, devices: [.gpu(0)])])
        #expect(plan.waiting.map(\.jobID) == [4, 5])
    }

    @Test func pinnedJobWaitsForExactlyItsDevices() {
        let leases = [lease(.gpu(1), job: 9, expiresIn: 60)]
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: leases, queue: [job(1, .ids([.gpu(1)]))], now: t0)
        #expect(plan.starts.isEmpty)
        #expect(plan.waiting == [.init(jobID: 1, reserved: [])])
    }

    @Test func expiredLeaseCountsAsFree() {
        let leases = [lease(.gpu(1), job: 9, expiresIn: 0), lease(.gpu(0), job: 8, expiresIn: -5)]
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: leases,
                                       queue: [job(1, .ids([.gpu(0), .gpu(1)]))], now: t0)
        #expect(plan.starts == [.init(jobID: 1, devices: [.gpu(0), .gpu(1)])])
        #expect(LeaseScheduler.expiredLeases(leases, now: t0).count == 2)
    }

    @Test func unsatisfiableRequestsAreReportedAndDoNotBlock() {
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: [],
                                       queue: [job(1, priority: 9, .ids([.gpu(2), .gpu(0), .gpu(7)])),
                                               job(2, priority: 8, .count(3)),
                                               job(3, priority: 7, .ids([.cpu(0)])),
                                               job(4, .count(2))], now: t0)
        #expect(plan.unsatisfiable.map(\.jobID) == [1, 2, 3])
        #expect(plan.unsatisfiable[0].reason == "gpu2, gpu7 are not in the inventory (gpu0, gpu1)")
        #expect(plan.unsatisfiable[1].reason == "asks for 3 devices; the inventory has 2 (gpu0, gpu1)")
        #expect(plan.unsatisfiable[2].reason == "cpu0 is not in the inventory (gpu0, gpu1)")
        #expect(plan.starts == [.init(jobID: 4, devices: [.gpu(0), .gpu(1)])])
        #expect(LeaseScheduler.unsatisfiableReason(.count(0), inventory: []) == "asks for no device")
        #expect(LeaseScheduler.unsatisfiableReason(.ids([]), inventory: [.gpu(0)]) == "asks for no device")
        #expect(LeaseScheduler.unsatisfiableReason(.count(1), inventory: []) == "asks for 1 device; the inventory has 0 (empty)")
    }

    @Test func bigJobIsNotStarvedByLaterSmallOnes() {
        // gpu0 busy; the 2-GPU job at the head reserves gpu1, so the later 1-GPU job cannot take it.
        let leases = [lease(.gpu(0), job: 9, expiresIn: 60)]
        let queue = [job(1, age: 20, .count(2)), job(2, age: 10, .count(1))]
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: leases, queue: queue, now: t0)
        #expect(plan.starts.isEmpty)
        #expect(plan.waiting == [.init(jobID: 1, reserved: [.gpu(1)]), .init(jobID: 2, reserved: [])])
        // When gpu0's job ends, the big job starts first.
        let later = LeaseScheduler.plan(inventory: twoGPUs, leases: [], queue: queue, now: t0)
        #expect(later.starts == [.init(jobID: 1, devices: [.gpu(0), .gpu(1)])])
    }

    @Test func pinnedReservationLeavesOtherDevicesUsable() {
        // Job 1 wants gpu0+gpu1; gpu1 is busy. It reserves gpu0; job 2 (any 1) takes gpu2, job 3 (gpu0) waits.
        let inventory: [DeviceID] = [.gpu(0), .gpu(1), .gpu(2)]
        let plan = LeaseScheduler.plan(inventory: inventory, leases: [lease(.gpu(1), job: 9, expiresIn: 60)],
                                       queue: [job(1, age: 3, .ids([.gpu(0), .gpu(1)])), job(2, age: 2, .count(1)),
                                               job(3, age: 1, .ids([.gpu(0)]))], now: t0)
        #expect(plan.starts == [.init(jobID: 2, devices: [.gpu(2)])])
        #expect(plan.waiting == [.init(jobID: 1, reserved: [.gpu(0)]), .init(jobID: 3, reserved: [])])
    }

    @Test func countJobAvoidsDevicesPinnedJobsWant() {
        // Job 1 takes any one device; job 2 is pinned to gpu0: job 1 gets gpu1 so both start.
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: [],
                                       queue: [job(1, age: 2, .count(1)), job(2, age: 1, .ids([.gpu(0)]))], now: t0)
        #expect(plan.starts == [.init(jobID: 1, devices: [.gpu(1)]), .init(jobID: 2, devices: [.gpu(0)])])
    }

    @Test func duplicateQueueEntriesCountOnce() {
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: [],
                                       queue: [job(1, .count(1)), job(1, .count(1))], now: t0)
        #expect(plan.starts.count == 1)
        #expect(plan.waiting.isEmpty)
    }

    @Test func leaseRowsForStarts() {
        let plan = LeaseScheduler.plan(inventory: twoGPUs, leases: [], queue: [job(7, .count(2))], now: t0)
        #expect(plan.leases(now: t0, ttl: 30) == [lease(.gpu(0), job: 7, expiresIn: 30), lease(.gpu(1), job: 7, expiresIn: 30)])
        #expect(lease(.gpu(0), job: 7, expiresIn: 1).renewed(at: t0, ttl: 30) == lease(.gpu(0), job: 7, expiresIn: 30))
    }

    @Test func lostJobs() {
        let leases = [
            lease(.gpu(0), job: 1, expiresIn: 10),
            lease(.gpu(1), job: 1, expiresIn: -1),  // job 1 lost gpu1
            lease(.gpu(2), job: 2, expiresIn: 10),
            lease(.gpu(3), job: 4, expiresIn: 10),  // job 3's device leased to someone else
        ]
        let running = [RunningJob(id: 1, devices: [.gpu(0), .gpu(1)]), RunningJob(id: 2, devices: [.gpu(2)]),
                       RunningJob(id: 3, devices: [.gpu(3)]), RunningJob(id: 5, devices: [.cpu(0)]),
                       RunningJob(id: 6, devices: [])]
        #expect(LeaseScheduler.lostJobs(running: running, leases: leases, now: t0) == [1, 3, 5, 6])
        // At the expiry instant the lease is gone.
        #expect(LeaseScheduler.lostJobs(running: [RunningJob(id: 2, devices: [.gpu(2)])], leases: leases,
                                        now: t0.addingTimeInterval(10)) == [2])
    }
}
