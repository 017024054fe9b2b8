import Testing
@testable import TrainerDomain

@Suite struct DeviceInventoryTests {
    @Test func nvidiaSMIOutput() throws {
        let output = """
        0, NVIDIA H100 80GB HBM3, 81559, 1024, 37
        1, NVIDIA H100 80GB HBM3, 81559, 0, [N/A]

        """
        let inventory = try DeviceInventory.parse(nvidiaSMI: output)
        #expect(inventory.source == .nvidiaSMI)
        #expect(inventory.ids == [.gpu(0), .gpu(1)])
        #expect(inventory.devices[0] == Device(id: .gpu(0), name: "NVIDIA H100 80GB HBM3", memoryTotalMiB: 81559,
                                               memoryUsedMiB: 1024, utilizationPercent: 37))
        #expect(inventory.devices[1].utilizationPercent == nil)
    }

    @Test func nvidiaSMIEdgeCases() throws {
        // CRLF, out-of-order indices, a name with a comma, [Not Supported].
        let inventory = try DeviceInventory.parse(nvidiaSMI: "3, Tesla T4, rev A, 15360, [Not Supported], 0\r\n0, A100, 40960, 5, 99\r\n")
        #expect(inventory.ids == [.gpu(0), .gpu(3)])
        #expect(inventory.device(.gpu(3))?.name == "Tesla T4, rev A")
        #expect(inventory.device(.gpu(3))?.memoryUsedMiB == nil)
    }

    @Test(arguments: [
        ("", DeviceInventoryError.noGPUs),
        ("\n \n", .noGPUs),
        ("No devices were found", .malformedNvidiaSMILine(line: 1, text: "No devices were found",
                                                          reason: "expected 5 comma-separated fields, got 1")),
        ("0, A, 1, 2, 3\nx, B, 1, 2, 3", .malformedNvidiaSMILine(line: 2, text: "x, B, 1, 2, 3",
                                                                 reason: "index \"x\" is not a number")),
        ("0, A, 1GB, 2, 3", .malformedNvidiaSMILine(line: 1, text: "0, A, 1GB, 2, 3",
                                                    reason: "memory.total \"1GB\" is not a number")),
        ("0, A, 1, 2, 3\n0, A, 1, 2, 3", .duplicateDevice(.gpu(0))),
    ])
    func badNvidiaSMIOutput(output: String, expected: DeviceInventoryError) {
        #expect(throws: expected) { try DeviceInventory.parse(nvidiaSMI: output) }
    }

    @Test func trainerDevices() throws {
        #expect(try DeviceInventory.parse(trainerDevices: "cpu:2").ids == [.cpu(0), .cpu(1)])
        #expect(try DeviceInventory.parse(trainerDevices: " gpu: 1, 0 ").ids == [.gpu(0), .gpu(1)])
        #expect(try DeviceInventory.parse(trainerDevices: "GPU:3").ids == [.gpu(3)])
        #expect(try DeviceInventory.parse(trainerDevices: "cpu:1").source == .configured)
    }

    @Test(arguments: [
        ("", "is empty"),
        ("gpu", "expected cpu:N or gpu:I,J,…"),
        ("tpu:1", "unknown device kind \"tpu\" (use cpu or gpu)"),
        ("cpu:0", "cpu needs a slot count from 1 to 256, got \"0\""),
        ("cpu:x", "cpu needs a slot count from 1 to 256, got \"x\""),
        ("cpu:257", "cpu needs a slot count from 1 to 256, got \"257\""),
        ("gpu:", "GPU index \"\" is not a number"),
        ("gpu:0,a", "GPU index \"a\" is not a number"),
        ("gpu:-1", "GPU index \"-1\" is not a number"),
    ])
    func badTrainerDevices(value: String, reason: String) {
        #expect(throws: DeviceInventoryError.invalidTrainerDevices(value: value, reason: reason)) {
            try DeviceInventory.parse(trainerDevices: value)
        }
    }

    @Test func duplicateConfiguredGPU() {
        #expect(throws: DeviceInventoryError.duplicateDevice(.gpu(1))) {
            try DeviceInventory.parse(trainerDevices: "gpu:1,1")
        }
    }

    @Test func errorDescriptionsNameTheInput() {
        #expect(DeviceInventoryError.invalidTrainerDevices(value: "cpu:0", reason: "r").description == "TRAINER_DEVICES=\"cpu:0\": r")
        #expect(DeviceInventoryError.duplicateDevice(.gpu(1)).description == "gpu1 is listed twice")
    }

    @Test func resolveOrder() throws {
        let smi = "0, H100, 81559, 0, 0\n1, H100, 81559, 0, 0"
        #expect(try DeviceInventory.resolve(trainerDevices: "cpu:3", nvidiaSMI: smi).ids.count == 3)
        #expect(try DeviceInventory.resolve(trainerDevices: "  ", nvidiaSMI: smi).ids == [.gpu(0), .gpu(1)])
        let none = try DeviceInventory.resolve(trainerDevices: nil, nvidiaSMI: nil, cpuFallbackSlots: 2)
        #expect(none.ids == [.cpu(0), .cpu(1)])
        #expect(none.source == .cpuFallback(reason: "nvidia-smi is not available"))
        let garbage = try DeviceInventory.resolve(trainerDevices: nil, nvidiaSMI: "")
        #expect(garbage.ids == [.cpu(0)])
        #expect(garbage.source == .cpuFallback(reason: "nvidia-smi: no GPU listed"))
        #expect(throws: DeviceInventoryError.self) { try DeviceInventory.resolve(trainerDevices: "cpu:0", nvidiaSMI: smi) }
    }

    @Test func deviceIDs() {
        #expect(DeviceID("gpu0") == .gpu(0))
        #expect(DeviceID("cpu12") == .cpu(12))
        for bad in ["gpu", "gpu01", "gpu-1", "gpu+1", "GPU0", "xpu0", "gpu1 ", ""] {
            #expect(DeviceID(bad) == nil, "\(bad)")
        }
        #expect([DeviceID.cpu(0), .gpu(10), .gpu(2)].sorted() == [.gpu(2), .gpu(10), .cpu(0)])
        #expect(DeviceID.cudaVisibleDevices([.gpu(1), .gpu(0)]) == "0,1")
        #expect(DeviceID.cudaVisibleDevices([.cpu(0)]) == "")
    }
}
