import Hummingbird

/// Turns `Authorization: Bearer …` into a principal: an API key (`mlk_…`,
/// cached lookups) or a JWT (verified in process), whose subject must still
/// exist and be enabled (`UserDirectory`); its role is the lower of the
/// token's and the user's current one, so a demotion takes effect at once
/// and a promotion at the next login.
struct Authenticator: Sendable {
    let tokens: TokenService
    let apiKeys: APIKeyStore
    let directory: UserDirectory

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
        guard var principal = await tokens.verify(credential) else {
            throw GatewayError.unauthorized("invalid or expired access token")
        }
        guard let current = try await directory.current(principal.subject), !current.disabled else {
            throw GatewayError.unauthorized("the token's user no longer exists or is disabled")
        }
        principal.role = min(principal.role, current.role)
        return principal
    }
}
