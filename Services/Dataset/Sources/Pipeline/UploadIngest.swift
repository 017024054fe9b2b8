import Bus
import Contracts
import DatasetDomain
import Foundation
import Logging
import ServiceKit

/// A CreateDataset upload from its blob to an ingest outcome: the target is
/// checked first (cheap), Parquet is converted to JSONL by the ml runtime,
/// then Ingest parses, encrypts and stores the version's file.
struct UploadIngest {
    let deps: ServiceDependencies
    let settings: DatasetSettings

    func run(_ upload: DatasetUpload, logger: Logger) async throws -> IngestOutcome {
        try await checkTarget(upload.target, logger: logger)
        var source = deps.blobs.url(for: upload.source)
        var converted: URL?
        defer { if let converted { try? FileManager.default.removeItem(at: converted) } }
        if upload.format == .parquet {
            let target = deps.blobs.stagingURL().appendingPathExtension("jsonl")
            try await MLRuntime(python: settings.mlPython, dataRoot: DataRoot(deps.settings.dataRoot), logger: logger).convertParquet(source, to: target, columns: upload.columns)
            converted = target
            source = target
        }
        let started = ContinuousClock.now
        defer { logger.info("ingest finished", metadata: ["seconds": "\((ContinuousClock.now - started).seconds)", "peak_rss_mb": "\(ProcessMemory.peakMB)"]) }
        let outcome: IngestOutcome
        do {
            outcome = try await Ingest(options: upload.options, policy: upload.policy).run(source: source, blobs: deps.blobs, key: settings.key) { sha in
                try await DatasetStore.blobForContent(sha256: sha, on: deps.postgres, logger: logger)
            }
        } catch let failure as IngestFailure {
            throw BusError.invalidArgument(field: failure.field, failure.reason)
        }
        // A new dataset keeps a rejected upload's report; an existing one just refuses it.
        if case .rejected(let report) = outcome, !upload.isNewDataset {
            throw BusError(.invalidArgument, "\(report.badLines) bad line(s); first: line \(report.errors.first?.line ?? 0): \(report.errors.first?.reason ?? "")",
                           fieldViolations: report.errors.prefix(20).map(Self.violation))
        }
        return outcome
    }

    /// A new version needs a dataset that was not rejected; a new dataset a free name.
    private func checkTarget(_ target: DatasetUpload.Target, logger: Logger) async throws {
        switch target {
        case .newVersion(let id):
            guard let existing = try await DatasetStore.dataset(id: id, on: deps.postgres, logger: logger) else {
                throw BusError.notFound("dataset \(id) not found")
            }
            guard existing.status != .rejected else { throw BusError.failedPrecondition("dataset \(id) was rejected; upload it again as a new dataset") }
        case .newDataset(let name):
            if try await DatasetStore.datasetId(named: name, on: deps.postgres, logger: logger) != nil {
                throw BusError.alreadyExists("a dataset named '\(name)' already exists")
            }
        }
    }

    static func violation(_ error: Mlops_V1_Dataset_LineError) -> Mlops_V1_FieldViolation {
        var violation = Mlops_V1_FieldViolation()
        violation.field = "line \(error.line)" + (error.field.isEmpty ? "" : ": \(error.field)")
        violation.description_p = error.reason
        return violation
    }
}
