import Bus
import Crypto
import Contracts
import DatasetDomain
import Foundation
import JSON
import ServiceKit

#if canImport(Glibc)
import Glibc
#endif

/// Validate and split: the long-running work on a version.
struct ProcessingHandlers: Sendable {
    let deps: ServiceDependencies
    let settings: DatasetSettings

    func validate(_ request: Mlops_V1_Dataset_ValidateRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ValidateReply {
        if let stored = try await deps.idempotency.storedResponse(context, request: request, as: Mlops_V1_Dataset_ValidateReply.self) {
            return stored
        }
        let plan = try ValidationPlan(validating: request)
        let source = try await DatasetStore.version(request.ref, on: deps.postgres, logger: context.logger)
        let blobs = deps.blobs, key = settings.key, workers = settings.workers
        let result = try await runOnThread {
            try Validation(plan: plan, workers: workers).run(reader: VersionReader(blobs: blobs, blobSHA256: source.blobSHA256, key: key), blobs: blobs, key: key)
        }
        context.logger.info("validation finished", metadata: [
            "seconds": "\(result.seconds)", "peak_rss_mb": "\(ProcessMemory.peakMB)", "changed": "\(result.changed)",
        ])
        var derivedFile: StoredFile?
        if let derived = result.derived {
            derivedFile = try await derived.commit { sha in try await DatasetStore.blobForContent(sha256: sha, on: deps.postgres, logger: context.logger) }
        }
        return try await deps.idempotency.once(context, request: request) { connection in
            try await ValidationStore.record(result, of: source, plan: plan, derivedFile: derivedFile, actor: request.actor, on: connection, logger: context.logger)
        }
    }

    func split(_ request: Mlops_V1_Dataset_SplitRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_SplitReply {
        if let stored = try await deps.idempotency.storedResponse(context, request: request, as: Mlops_V1_Dataset_SplitReply.self) {
            return stored
        }
        let ratios: SplitRatios
        do {
            try StratifiedSplitter.validate(train: request.trainRatio, validation: request.valRatio, test: request.testRatio)
            ratios = try SplitRatios(train: request.trainRatio, validation: request.valRatio, test: request.testRatio)
        } catch {
            throw BusError.invalidArgument(field: error.field, error.reason)
        }
        let version = try await DatasetStore.version(request.ref, on: deps.postgres, logger: context.logger)
        let blobs = deps.blobs, key = settings.key, seed = request.seed
        let output = try await runOnThread { try Splitting(ratios: ratios, seed: seed).run(blobs: blobs, blobSHA256: version.blobSHA256, key: key) }
        var files: [SplitPart: StoredFile] = [:]
        for (part, writer) in output.parts {
            files[part] = try await writer.commit { sha in try await DatasetStore.blobForContent(sha256: sha, on: deps.postgres, logger: context.logger) }
        }
        let strataJSON = JSONValue(object: output.strata.mapValues(JSONValue.counts)).serialized
        return try await deps.idempotency.once(context, request: request) { connection in
            try await SplitStore.upsert(versionId: version.id, .init(
                seed: seed, ratios: (request.trainRatio, request.valRatio, request.testRatio),
                counts: (output.counts[.train] ?? 0, output.counts[.validation] ?? 0, output.counts[.test] ?? 0),
                blobs: (files[.train]!.blobSHA256, files[.validation]!.blobSHA256, files[.test]!.blobSHA256),
                strataJSON: strataJSON
            ), createdBy: request.actor, on: connection, logger: context.logger)
            var reply = Mlops_V1_Dataset_SplitReply()
            var proto = version.proto
            proto.hasSplit_p = true
            proto.trainSamples = Int64(output.counts[.train] ?? 0)
            proto.valSamples = Int64(output.counts[.validation] ?? 0)
            proto.testSamples = Int64(output.counts[.test] ?? 0)
            reply.version = proto
            reply.trainSamples = proto.trainSamples
            reply.valSamples = proto.valSamples
            reply.testSamples = proto.testSamples
            reply.seed = seed
            reply.strataJson = strataJSON
            return reply
        }
    }

    func exportSplit(_ request: Mlops_V1_Dataset_ExportSplitRequest, _ context: BusContext) async throws -> Mlops_V1_Dataset_ExportSplitReply {
        guard ["train", "val", "test"].contains(request.part) else { throw BusError.invalidArgument(field: "part", "must be train, val or test") }
        let destination: URL
        do { destination = try DataRoot(deps.settings.dataRoot).resolve(request.destination) } catch {
            throw BusError.invalidArgument(field: "destination", "\(error)")
        }
        let version = try await DatasetStore.version(request.ref, on: deps.postgres, logger: context.logger)
        guard let part = try await SplitStore.part(versionId: version.id, request.part, on: deps.postgres, logger: context.logger) else {
            throw BusError.failedPrecondition("dataset \(version.proto.datasetID) version \(version.proto.version) has no split; split it first")
        }
        let blobs = deps.blobs, key = settings.key
        let sha = try await runOnThread { () -> String in
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            return try Export.plaintext(blobs: blobs, blobSHA256: part.blob, key: key, to: destination)
        }
        var reply = Mlops_V1_Dataset_ExportSplitReply()
        reply.path = request.destination
        reply.samples = Int64(part.samples)
        reply.sha256 = sha
        return reply
    }
}

/// Decrypts a stored file to plaintext (for a consumer on this machine),
/// written to a temporary name and renamed, so readers never see half a file.
enum Export {
    @discardableResult
    static func plaintext(blobs: BlobStore, blobSHA256: String, key: DataKey, to destination: URL) throws -> String {
        guard let address = BlobAddress(sha256: blobSHA256) else { throw EncryptedFileError("bad blob address") }
        let reader = try EncryptedFileReader(url: blobs.url(for: address), key: key)
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).part")
        _ = FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600])
        let handle = try FileHandle(forWritingTo: temporary)
        var hasher = Crypto.SHA256()
        do {
            while let segment = try reader.next() {
                hasher.update(data: segment)
                try handle.write(contentsOf: segment)
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, destination.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw EncryptedFileError("cannot move the exported file into place (errno \(errno))")
        }
        return hexString(hasher.finalize())
    }
}
