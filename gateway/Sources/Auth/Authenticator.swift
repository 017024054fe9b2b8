import Hummingbird

/// Turns `Authorization: Bearer …` into a principal: an API key (`mlk_…`,
/// cached lookups) or a JWT (verified in process, no database).
struct Authenticator: Sendable {
    let tokens: TokenService
    let apiKeys: APIKeyStore

    func authenticate(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            throw GatewayError.unauthorized("missing bearer token (Authorization: Bearer <token>)")
        }
        guard header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw GatewayError.unauthorized("Authorization must be 'Bearer <token>'")
        }
        let credential = String(header.dropFirst(7).drop(while: { $0 == " " }))
        if credential.hasPrefix(APIKeyStore.prefix) {
            guard let principal = try await apiKeys.principal(for: credential) else {
                throw GatewayError.unauthorized("unknown or revoked API key")
            }
            return principal
        }
        guard let principal = await tokens.verify(credential) else {
            throw GatewayError.unauthorized("invalid or expired access token")
        }
        return principal
    }
}
