import Foundation
import TestKit
import Testing
@testable import TrainerService

/// A job mirrored into a real `mlflow server`.
@Suite(MLflowTestServer.Scope())
struct TrainerMLflowTests {
    @Test(.enabled(if: MLflowTestServer.shouldRun)) func aJobIsMirroredWithParamsAndMetricHistory() async throws {
        let server = try #require(MLflowTestServer.current)
        try await TrainerStack.with(extra: ["MLFLOW_TRACKING_URI": server.url.absoluteString, "MLFLOW_EXPERIMENT_NAME": "trainer-test"]) { stack in
            let id = try await stack.createJob("mirrored-1", hyperparameters: ["num_epochs": 2, "lora_rank": 4])
            let job = try await stack.waitFor(id, ["completed", "failed"])
            #expect(job["status"] as? String == "completed")
            let runID = try #require(job["mlflow_run_id"] as? String, "no MLflow run id on the job")
            let client = MLflowClient(trackingURI: server.url)
            let finished = await eventually(timeout: .seconds(20), every: .milliseconds(200)) {
                (try? await client.getRun(runID: runID))?.status == .finished
            }
            #expect(finished, "the run is not FINISHED")
            let run = try await client.getRun(runID: runID)
            #expect(run.params["lora_rank"] == "4" && run.params["method"] == "lora", "\(run.params)")
            let losses = try await client.metricHistory(runID: runID, key: "loss")
            let points = try await stack.metrics(id).filter { $0["loss"] is Double }
            #expect(losses.count == points.count && !losses.isEmpty, "MLflow has \(losses.count) loss points, the trainer \(points.count)")
        }
    }
}
