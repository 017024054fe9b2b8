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

    /// MLflow is down when the job starts: training goes on, and once MLflow answers the run
    /// is created, its id saved on the job, and the buffered metric points sent.
    @Test(.enabled(if: MLflowTestServer.shouldRun)) func aRunIsCreatedWhenMLflowComesUpLate() async throws {
        let port = MLflowTestServer.freePort()
        try await TrainerStack.with(extra: ["MLFLOW_TRACKING_URI": "http://127.0.0.1:\(port)", "MLFLOW_EXPERIMENT_NAME": "late"]) { stack in
            let id = try await stack.createJob("late-1", hyperparameters: ["num_epochs": 40, "save_steps": 1000])
            let trained = await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
                ((try? await stack.metrics(id))?.count ?? 0) >= 2
            }
            try #require(trained, "no metrics before MLflow came up")
            #expect(try await stack.job(id)["mlflow_run_id"] as? String == nil)
            let server = try await MLflowTestServer.start(port: port)
            defer { server.stop() }
            var runID: String?
            let saved = await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
                runID = (try? await stack.job(id))?["mlflow_run_id"] as? String
                return runID != nil
            }
            try #require(saved, "the run id was never saved on the job")
            _ = try await stack.call("POST", "/api/v1/admin/finetuning/jobs/\(id)/stop")
            let stopped = try await stack.waitFor(id, ["stopped", "failed", "completed"], timeout: .seconds(120))
            let client = MLflowClient(trackingURI: server.url)
            let run = try await client.getRun(runID: try #require(runID))
            #expect(run.params["method"] == "lora", "\(run.params)")
            // Every point recorded while MLflow was down reached it too.
            let points = try await stack.metrics(id).filter { $0["loss"] is Double }
            let mirrored = await eventually(timeout: .seconds(20), every: .milliseconds(250)) {
                ((try? await client.metricHistory(runID: runID!, key: "loss"))?.count ?? -1) == points.count
            }
            #expect(mirrored, "MLflow does not have all \(points.count) loss points")
            #expect(stopped["status"] as? String == "stopped")
        }
    }
}
