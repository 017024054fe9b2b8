import Bus
import Contracts
import Crypto
import Foundation
import Hummingbird
import JSON
import NIOCore
import NIOPosix
import ServiceKit

/// /api/v1/admin/training/datasets…: training data through the dataset
/// service. Uploads arrive as multipart/form-data (streamed to the blob
/// store, never held whole) or as the id of a completed chunked upload.
struct DatasetRoutes {
    let calls: BusCalls
    /// Ingest, validation and split run for seconds to minutes.
    let processing: BusCalls
    let uploads: UploadStore
    let blobs: BlobStore
    let maxBodyBytes: Int
    let maxUploadBytes: Int64

    static let base = "/api/v1/admin/training/datasets"

    func register(_ table: RouteTable) {
        table.add(DatasetSpecs.create) { try await create($0, $1, datasetId: nil) }
        table.add(DatasetSpecs.list, list)
        table.add(DatasetSpecs.get, get)
        table.add(DatasetSpecs.update, update)
        table.add(DatasetSpecs.createVersion) { try await create($0, $1, datasetId: try pathId($1)) }
        table.add(DatasetSpecs.versions, versions)
        table.add(DatasetSpecs.diff, diff)
        table.add(DatasetSpecs.validate, validate)
        table.add(DatasetSpecs.quality, quality)
        table.add(DatasetSpecs.split, split)
        table.add(DatasetSpecs.stats, stats)
        table.add(DatasetSpecs.report, report)
    }

    // MARK: create

    static let createFields: Set<String> = ["name", "description", "format", "upload_id", "on_bad_lines", "columns", "csv_delimiter", "keep_source"]

    func create(_ request: Request, _ context: GatewayContext, datasetId: Int64?) async throws -> Response {
        var message = Mlops_V1_Dataset_CreateDatasetRequest()
        if let id = datasetId { message.datasetID = id }
        let contentType = request.headers[.contentType] ?? ""
        var fileName: String?
        if let boundary = MultipartParser.boundary(contentType: contentType) {
            let form = try await receiveMultipart(request, boundary: boundary)
            fileName = form.fileName
            var errors: [FieldError] = []
            for (name, _) in form.fields where !Self.createFields.contains(name) && !name.hasPrefix("columns.") {
                errors.append(FieldError(name, "is not a known field"))
            }
            func field(_ name: String) -> String? { form.fields.first { $0.0 == name }?.1 }
            message.name = field("name") ?? ""
            message.description_p = field("description") ?? ""
            if let name = field("format") {
                if let format = DatasetFormat(rawValue: name.lowercased()) { message.format = format.sourceFormat } else {
                    errors.append(FieldError("format", "must be one of \(DatasetFormat.names)"))
                }
            }
            message.onBadLines = field("on_bad_lines") ?? ""
            message.csvDelimiter = field("csv_delimiter") ?? ""
            message.keepSource = field("keep_source") == "true"
            if let columns = field("columns") {
                if case .object(let members)? = try? JSONParser.parse(Array(columns.utf8)) {
                    for (key, value) in members {
                        if case .string(let column) = value { message.columns[key] = column } else { errors.append(FieldError("columns.\(key)", "must be a string")) }
                    }
                } else {
                    errors.append(FieldError("columns", "must be a JSON object of role → column name"))
                }
            }
            for (name, value) in form.fields where name.hasPrefix("columns.") { message.columns[String(name.dropFirst("columns.".count))] = value }
            guard let sha = form.fileSHA256 else { errors.append(FieldError("file", "a file part is required")); throw GatewayError.invalid(errors) }
            if !errors.isEmpty {
                try? blobs.remove(BlobAddress(sha256: sha)!)
                throw GatewayError.invalid(errors)
            }
            message.sourceSha256 = sha
        } else {
            var body = try await Body.object(request, limit: maxBodyBytes)
            body.rejectUnknown(Self.createFields)
            // Types here; names, lengths and choices are the dataset service's rules.
            message.name = body.string("name", required: datasetId == nil) ?? ""
            message.description_p = body.string("description") ?? ""
            message.format = body.choice("format", DatasetFormat.self)?.sourceFormat ?? .unspecified
            message.onBadLines = body.string("on_bad_lines") ?? ""
            message.csvDelimiter = body.string("csv_delimiter") ?? ""
            message.keepSource = body.bool("keep_source") ?? false
            message.columns = body.stringMap("columns", maxCount: 16) ?? [:]
            let uploadText = body.string("upload_id", required: true, length: 36...36)
            try body.finish()
            guard let uploadText, let uploadId = UUID(uuidString: uploadText) else { throw GatewayError.invalid("upload_id", "must be an upload id (a UUID)") }
            guard let upload = try await uploads.get(uploadId) else { throw GatewayError.notFound("no upload \(uploadText.lowercased())") }
            guard upload.status == "complete", let sha = upload.sha256 else {
                throw GatewayError.conflict("upload \(uploadText.lowercased()) is not complete: \(upload.receivedBytes) of \(upload.sizeBytes) bytes")
            }
            fileName = upload.filename
            message.sourceSha256 = sha
        }
        if message.format == .unspecified {
            guard let format = fileName.flatMap(DatasetFormat.init(fileName:)) else {
                throw GatewayError.invalid("format", "is required (\(DatasetFormat.names)) when the file name does not tell")
            }
            message.format = format.sourceFormat
        }
        message.createdBy = try context.caller().subject
        let reply: Mlops_V1_Dataset_CreateDatasetReply
        do {
            reply = try await processing.call(DatasetMethods.createDataset, message, request, context)
        } catch {
            // A multipart file exists only for this request: never leave its plaintext behind.
            if contentType.lowercased().hasPrefix("multipart/"), let address = BlobAddress(sha256: message.sourceSha256) { try? blobs.remove(address) }
            throw error
        }
        context.audit?.resource = "datasets/\(reply.dataset.id)"
        var writer = JSONWriter(capacity: 4096)
        writer.beginObject()
        writer.key("dataset"); DatasetJSON.write(reply.dataset, into: &writer)
        writer.key("version")
        if reply.hasVersion { DatasetJSON.writeVersion(reply.version, into: &writer) } else { writer.null() }
        writer.key("report"); DatasetJSON.writeReport(reply.report, into: &writer)
        writer.endObject()
        // A rejected file is stored as a rejected dataset, and the caller hears so.
        return jsonResponse(writer, status: reply.dataset.status == .rejected ? .unprocessableContent : .created)
    }

    struct Form {
        var fields: [(String, String)] = []
        var fileSHA256: String?
        var fileName: String?
    }

    /// Streams a multipart body: text fields (≤ 64 KiB each) into memory, the
    /// `file` part into the blob store's staging folder, hashed on the way.
    private func receiveMultipart(_ request: Request, boundary: String) async throws -> Form {
        var parser = MultipartParser(boundary: boundary)
        var form = Form()
        var current: (name: String, isFile: Bool)?
        var text: [UInt8] = []
        var staging: URL?
        var handle: FileHandle?
        var hasher = SHA256()
        var pending: [UInt8] = []
        var fileBytes: Int64 = 0
        var total: Int64 = 0
        defer {
            try? handle?.close()
            if let staging { try? FileManager.default.removeItem(at: staging) }
        }
        func flush() async throws {
            guard let handle, !pending.isEmpty else { return }
            let bytes = pending
            pending.removeAll(keepingCapacity: true)
            try await NIOThreadPool.singleton.runIfActive { try handle.write(contentsOf: bytes) }
        }
        func handleEvent(_ event: MultipartParser.Event) throws {
            switch event {
            case .partBegin(let name, let filename, _):
                if name == "file" {
                    guard staging == nil else { throw GatewayError.invalid("file", "send exactly one file part") }
                    let url = blobs.stagingURL()
                    _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
                    staging = url
                    handle = try FileHandle(forWritingTo: url)
                    form.fileName = filename
                    current = (name, true)
                } else {
                    current = (name, false)
                    text = []
                }
            case .content(let bytes):
                guard let part = current else { return }
                if part.isFile {
                    hasher.update(data: bytes)
                    pending.append(contentsOf: bytes)
                    fileBytes += Int64(bytes.count)
                } else {
                    text.append(contentsOf: bytes)
                    guard text.count <= 64 * 1024 else { throw GatewayError.invalid(part.name, "a form field may hold at most 64 KiB") }
                }
            case .partEnd:
                if let part = current, !part.isFile {
                    guard let value = String(validating: text, as: UTF8.self) else { throw GatewayError.invalid(part.name, "must be UTF-8 text") }
                    form.fields.append((part.name, value))
                }
                current = nil
            }
        }
        do {
            for try await chunk in request.body {
                total += Int64(chunk.readableBytes)
                guard total <= maxUploadBytes else { throw GatewayError.tooLarge("the upload is larger than \(maxUploadBytes) bytes") }
                try chunk.withUnsafeReadableBytes { raw in try parser.feed(raw, handleEvent) }
                if pending.count >= 1 << 20 { try await flush() }
            }
            try parser.finish()
        } catch let failure as MultipartParser.Failure {
            throw GatewayError.invalid("body", "malformed multipart/form-data: \(failure.description)")
        }
        try await flush()
        if let staged = staging, let file = handle {
            try await NIOThreadPool.singleton.runIfActive { try file.synchronize(); try file.close() }
            handle = nil
            guard fileBytes > 0 else { throw GatewayError.invalid("file", "the file is empty") }
            let digest = hexString(hasher.finalize())
            _ = try blobs.adopt(staged: staged, sha256: digest)
            staging = nil
            form.fileSHA256 = digest
        }
        return form
    }

    // MARK: read

    @Sendable func list(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, DatasetSpecs.list)
        var message = Mlops_V1_Dataset_ListDatasetsRequest()
        message.status = query.choice("status").flatMap(Mlops_V1_Dataset_DatasetStatus.init(name:)) ?? .unspecified
        message.search = query.string("search") ?? ""
        let page = query.page()
        try query.finish()
        message.skip = Int32(page.skip)
        message.limit = Int32(page.limit)
        let reply = try await calls.call(DatasetMethods.listDatasets, message, request, context)
        return ListEnvelope.response(reply.items, total: reply.total, page: page, bytesPerItem: 1200) { DatasetJSON.write($0, into: &$1) }
    }

    @Sendable func get(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_GetDatasetRequest()
        message.id = try pathId(context)
        let dataset = try await calls.call(DatasetMethods.getDataset, message, request, context)
        var writer = JSONWriter(capacity: 2048)
        DatasetJSON.write(dataset, into: &writer)
        return jsonResponse(writer)
    }

    @Sendable func update(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_UpdateDatasetRequest()
        message.id = try pathId(context)
        var body = try await Body.object(request, limit: maxBodyBytes)
        body.rejectUnknown(["status", "description"])
        // Which statuses a user may set is the dataset service's rule.
        message.status = body.named("status", Mlops_V1_Dataset_DatasetStatus.self) ?? .unspecified
        if let description = body.string("description") {
            message.setDescription = true
            message.description_p = description
        }
        if !body.has("status") && !body.has("description") { body.fail("body", "give status or description") }
        try body.finish()
        message.actor = try context.caller().subject
        let dataset = try await calls.call(DatasetMethods.updateDataset, message, request, context)
        var writer = JSONWriter(capacity: 2048)
        DatasetJSON.write(dataset, into: &writer)
        return jsonResponse(writer)
    }

    @Sendable func versions(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_ListVersionsRequest()
        message.datasetID = try pathId(context)
        var query = QueryReader(request, DatasetSpecs.versions)
        let page = query.page()
        try query.finish()
        let reply = try await calls.call(DatasetMethods.listVersions, message, request, context)
        return ListEnvelope.paged(reply.items, page: page, bytesPerItem: 600) { DatasetJSON.writeVersion($0, into: &$1) }
    }

    @Sendable func diff(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_DiffRequest()
        message.datasetID = try pathId(context)
        message.fromVersion = try versionParameter(context, "from")
        message.toVersion = try versionParameter(context, "to")
        var query = QueryReader(request, DatasetSpecs.diff)
        message.sampleLimit = Int32(query.int("samples") ?? 0)
        try query.finish()
        let reply = try await processing.call(DatasetMethods.diff, message, request, context)
        var writer = JSONWriter(capacity: 8192)
        writer.beginObject()
        writer.key("from"); DatasetJSON.writeVersion(reply.from, into: &writer)
        writer.key("to"); DatasetJSON.writeVersion(reply.to, into: &writer)
        writer.key("added"); writer.int(reply.added)
        writer.key("removed"); writer.int(reply.removed)
        writer.key("changed"); writer.int(reply.changed)
        writer.key("unchanged"); writer.int(reply.unchanged)
        writer.key("samples")
        writer.beginObject()
        writer.key("added"); writer.raw(reply.addedSamplesJson)
        writer.key("removed"); writer.raw(reply.removedSamplesJson)
        writer.key("changed"); writer.raw(reply.changedSamplesJson)
        writer.endObject()
        writer.endObject()
        return jsonResponse(writer)
    }

    private func versionParameter(_ context: GatewayContext, _ name: String) throws -> String {
        guard let text = context.parameters.get(name), (1...50).contains(text.count),
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw GatewayError.invalid(name, "must be a version label like v1.0")
        }
        return text
    }

    private func versionRef(_ context: GatewayContext, _ query: inout QueryReader) throws -> Mlops_V1_Dataset_VersionRef {
        var ref = Mlops_V1_Dataset_VersionRef()
        ref.datasetID = try pathId(context)
        if let version = query.string("version") { ref.version = version }
        return ref
    }

    // MARK: processing

    static let validateFields: Set<String> = ["version", "checks", "mask_pii", "remove_duplicates", "min_score", "near_duplicate_threshold",
                                              "minhash_permutations", "shingle_size", "extra_terms"]

    @Sendable func validate(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_ValidateRequest()
        message.ref.datasetID = try pathId(context)
        var body = try await Body.object(request, limit: maxBodyBytes, allowEmpty: true)
        body.rejectUnknown(Self.validateFields)
        message.ref.version = body.string("version", length: 1...50) ?? ""
        message.checks = body.strings("checks", maxCount: 64, length: 0...10_000) ?? []
        if let mask = body.bool("mask_pii") { message.hasMaskPii_p = true; message.maskPii = mask }
        if let remove = body.bool("remove_duplicates") { message.hasRemoveDuplicates_p = true; message.removeDuplicates = remove }
        if let minScore = body.double("min_score") {
            if (0...1).contains(minScore) { message.hasMinScore_p = true; message.minScore = minScore } else { body.fail("min_score", "must be between 0 and 1") }
        }
        if let threshold = body.double("near_duplicate_threshold") {
            if threshold > 0 && threshold < 1 { message.nearDuplicateThreshold = threshold } else { body.fail("near_duplicate_threshold", "must be between 0 and 1 (exclusive)") }
        }
        // Ranges are the dataset service's; the gateway keeps the value inside the message's int32.
        message.minhashPermutations = Int32(body.int("minhash_permutations", range: 1...Int64(Int32.max)) ?? 0)
        message.shingleSize = Int32(body.int("shingle_size", range: 1...Int64(Int32.max)) ?? 0)
        message.extraTermsJson = body.object("extra_terms", maxBytes: 512 * 1024) ?? ""
        try body.finish()
        message.actor = try context.caller().subject
        let reply = try await processing.call(DatasetMethods.validate, message, request, context)
        var writer = JSONWriter(capacity: 16 * 1024)
        writer.beginObject()
        writer.key("version"); DatasetJSON.writeVersion(reply.source, into: &writer)
        writer.key("derived_version")
        if reply.hasDerived { DatasetJSON.writeVersion(reply.derived, into: &writer) } else { writer.null() }
        writer.key("checks")
        writer.beginArray()
        for check in reply.checks { DatasetJSON.writeCheck(check, into: &writer) }
        writer.endArray()
        writer.key("seconds"); writer.double(reply.seconds)
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func quality(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, DatasetSpecs.quality)
        var message = Mlops_V1_Dataset_ListQualityChecksRequest()
        message.ref = try versionRef(context, &query)
        let page = query.page()
        try query.finish()
        let reply = try await calls.call(DatasetMethods.listQualityChecks, message, request, context)
        return ListEnvelope.paged(reply.items, page: page, bytesPerItem: 1000) { DatasetJSON.writeCheck($0, into: &$1) }
    }

    @Sendable func split(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var message = Mlops_V1_Dataset_SplitRequest()
        message.ref.datasetID = try pathId(context)
        var body = try await Body.object(request, limit: maxBodyBytes, allowEmpty: true)
        body.rejectUnknown(["version", "train_ratio", "val_ratio", "test_ratio", "seed"])
        message.ref.version = body.string("version", length: 1...50) ?? ""
        message.trainRatio = body.double("train_ratio") ?? 0.8
        message.valRatio = body.double("val_ratio") ?? 0.1
        message.testRatio = body.double("test_ratio") ?? 0.1
        message.seed = UInt64(body.int("seed", range: 0...Int64.max) ?? 42)
        try body.finish()
        message.actor = try context.caller().subject
        let reply = try await processing.call(DatasetMethods.split, message, request, context)
        var writer = JSONWriter(capacity: 4096)
        writer.beginObject()
        writer.key("version"); DatasetJSON.writeVersion(reply.version, into: &writer)
        writer.key("train_samples"); writer.int(reply.trainSamples)
        writer.key("val_samples"); writer.int(reply.valSamples)
        writer.key("test_samples"); writer.int(reply.testSamples)
        writer.key("seed"); writer.int(reply.seed)
        writer.key("strata"); writer.raw(reply.strataJson.isEmpty ? "{}" : reply.strataJson)
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func stats(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, DatasetSpecs.stats)
        var message = Mlops_V1_Dataset_StatsRequest()
        message.ref = try versionRef(context, &query)
        message.tokenizerPath = query.string("tokenizer") ?? ""
        try query.finish()
        let reply = try await processing.call(DatasetMethods.stats, message, request, context)
        var writer = JSONWriter(capacity: 16 * 1024)
        writer.beginObject()
        writer.key("version"); DatasetJSON.writeVersion(reply.version, into: &writer)
        writer.key("stats"); writer.raw(reply.statsJson.isEmpty ? "{}" : reply.statsJson)
        writer.endObject()
        return jsonResponse(writer)
    }

    @Sendable func report(_ request: Request, _ context: GatewayContext) async throws -> Response {
        var query = QueryReader(request, DatasetSpecs.report)
        var message = Mlops_V1_Dataset_ReportRequest()
        message.ref = try versionRef(context, &query)
        message.format = query.choice("format") ?? ""
        try query.finish()
        let reply = try await calls.call(DatasetMethods.report, message, request, context)
        var headers: HTTPFields = [.contentType: reply.contentType]
        // The page is self-contained: forbid scripts and outside resources outright.
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}
