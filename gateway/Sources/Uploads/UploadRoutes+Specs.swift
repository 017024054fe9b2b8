import JSON

/// /api/v1/admin/uploads…: resumable chunked uploads.
enum UploadSpecs {
    typealias O = OpenAPI
    static let base = "/api/v1/admin/uploads"
    static let uploadId = ["id": O.type("string", ("format", O.s("uuid")))]

    static let create = RouteSpec(.post, base, .role(.engineer), id: "createUpload", "Start a resumable upload", tag: "uploads",
        body: .json(O.ref("UploadCreate")), responses: [.json(201, "created", O.ref("Upload"))], callsBus: false)
    static let putChunk = RouteSpec(.put, "\(base)/{id}", .role(.engineer), id: "putUploadChunk",
        "Send the next chunk (Content-Range: bytes START-END/TOTAL, START = received_bytes)", tag: "uploads", pathSchemas: uploadId,
        headers: [HeaderParameter(name: "Content-Range", schema: O.type("string", ("pattern", O.s("^bytes [0-9]+-[0-9]+/[0-9]+$"))), required: true)],
        body: RequestBodySpec(required: true, content: [("application/octet-stream", O.type("string", ("format", O.s("binary"))))]),
        responses: [.json(200, "chunk stored", O.ref("Upload"))], callsBus: false, problems: [409])
    static let get = RouteSpec(.get, "\(base)/{id}", .role(.viewer), id: "getUpload", "Upload state (to resume)", tag: "uploads",
        pathSchemas: uploadId, responses: [.json(200, "the upload", O.ref("Upload"))], callsBus: false)
    static let complete = RouteSpec(.post, "\(base)/{id}/complete", .role(.engineer), id: "completeUpload",
        "Verify the sha256 and store the upload as a blob", tag: "uploads", pathSchemas: uploadId,
        body: .json(O.ref("UploadComplete")), responses: [.json(200, "stored", O.ref("UploadCompleted"))], callsBus: false, problems: [409, 422])

    static let all = [create, putChunk, get, complete]
}
