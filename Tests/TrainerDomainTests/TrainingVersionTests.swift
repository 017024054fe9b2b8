import JSON
import Testing
@testable import TrainerDomain

@Suite struct TrainingVersionTests {
    static func version(_ id: Int64, _ label: String, split: Bool = true, train: Int64 = 80, val: Int64 = 10) -> DatasetVersionSummary {
        DatasetVersionSummary(id: id, version: label, hasSplit: split, trainSamples: train, valSamples: val)
    }

    static func spec(version: String? = nil, hyperparameters: Hyperparameters? = nil) -> JobSpec {
        JobSpec(jobName: "j", baseModel: "tiny", datasetID: 7, datasetVersion: version, method: .lora, hyperparameters: hyperparameters)
    }

    @Test func theLatestByIdWhenNoneIsNamed() throws {
        // Ids, not labels, order versions: v1.10 is newer than v1.9.
        let versions = [Self.version(3, "v1.9"), Self.version(5, "v1.10"), Self.version(4, "v1.2")]
        #expect(try TrainingVersion.choose(for: Self.spec(), from: versions).version == "v1.10")
    }

    @Test func theNamedOne() throws {
        let versions = [Self.version(1, "v1.0"), Self.version(2, "v1.1")]
        #expect(try TrainingVersion.choose(for: Self.spec(version: "v1.0"), from: versions).id == 1)
    }

    @Test func problemsNameTheField() {
        func problem(_ spec: JobSpec, _ versions: [DatasetVersionSummary]) -> FieldError? {
            do { _ = try TrainingVersion.choose(for: spec, from: versions); return nil } catch { return error }
        }
        #expect(problem(Self.spec(), [])?.field == "dataset_id")
        let missing = problem(Self.spec(version: "v9"), [Self.version(1, "v1.0"), Self.version(2, "v1.1")])
        #expect(missing?.field == "dataset_version")
        #expect(missing?.message.contains("v1.0, v1.1") == true)
        #expect(problem(Self.spec(), [Self.version(1, "v1.0", split: false)])?.field == "dataset_id")
        #expect(problem(Self.spec(version: "v1.0"), [Self.version(1, "v1.0", split: false)])?.field == "dataset_version")
        #expect(problem(Self.spec(), [Self.version(1, "v1.0", train: 0)])?.message.contains("no training samples") == true)
        // The latest is unsplit even though an older one is split: refused, not silently older data.
        #expect(problem(Self.spec(), [Self.version(1, "v1.0"), Self.version(2, "v1.1", split: false)])?.field == "dataset_id")
    }

    @Test func evaluationNeedsAValidationPart() throws {
        var early = Hyperparameters(method: .lora)
        early.earlyStoppingPatience = 2
        let noVal = [Self.version(1, "v1.0", val: 0)]
        do {
            _ = try TrainingVersion.choose(for: Self.spec(hyperparameters: early), from: noVal)
            Issue.record("early stopping without a validation part was accepted")
        } catch {
            #expect(error.field == "hyperparameters.early_stopping_patience")
        }
        // Without evaluation, no validation part is needed.
        #expect(try TrainingVersion.choose(for: Self.spec(), from: noVal).version == "v1.0")
    }
}
