import Bus
import Contracts
import Foundation
import Logging
import ServiceKit
import TrainerDomain

/// The trainer service: fine-tuning jobs on device leases (proto/mlops/v1/trainer.proto).
/// The pure rules (specs, states, the lease scheduler, runner events, Axolotl
/// export) live in TrainerDomain (Services/Trainer/Domain); Requests/ turns
/// requests into domain values, Store/ is all the SQL, Runner/ supervises
/// `python -m mlops_ml train` processes, Scheduling/ is the instance's work
/// loop, Handlers/ wire bus methods (decode, domain, store, encode).
public enum TrainerService {
    public static func migrations() throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw MigrationError("trainer migrations are missing from the resource bundle")
        }
        return try Migration.load(component: "trainer", directory: directory)
    }

    /// The devices this instance schedules on: TRAINER_DEVICES, else nvidia-smi, else one CPU slot.
    public static func inventory(settings: TrainerSettings, logger: Logger) throws -> DeviceInventory {
        let inventory = try DeviceInventory.resolve(trainerDevices: settings.devices, nvidiaSMI: nvidiaSMI())
        if case .cpuFallback(let reason) = inventory.source {
            logger.warning("no GPU: scheduling on one CPU slot", metadata: ["reason": "\(reason)"])
        }
        return inventory
    }

    private static func nvidiaSMI() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["nvidia-smi", "--query-gpu=index,name,memory.total,memory.used,utilization.gpu", "--format=csv,noheader,nounits"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// The router and the work loop of one instance.
    public static func make(_ deps: ServiceDependencies, settings: TrainerSettings) throws -> (BusRouter, Supervisor) {
        let inventory = try Self.inventory(settings: settings, logger: deps.logger)
        let events = JobEvents(publisher: deps.events)
        let supervisor = Supervisor(context: .init(deps: deps, settings: settings, events: events, logger: deps.logger), inventory: inventory)
        var router = BusRouter(service: TrainerMethods.service)
        let jobs = JobHandlers(deps: deps, settings: settings, supervisor: supervisor, events: events)
        router.on(TrainerMethods.createJob, jobs.create)
        router.on(TrainerMethods.getJob, jobs.get)
        router.on(TrainerMethods.listJobs, jobs.list)
        router.on(TrainerMethods.stopJob, jobs.stop)
        router.on(TrainerMethods.resumeJob, jobs.resume)
        router.on(TrainerMethods.getLogs, jobs.logs)
        router.on(TrainerMethods.getMetrics, jobs.metrics)
        router.on(TrainerMethods.listCheckpoints, jobs.checkpoints)
        router.on(TrainerMethods.axolotlConfig, jobs.axolotl)
        router.on(TrainerMethods.listDevices, jobs.devices)
        return (router, supervisor)
    }
}
