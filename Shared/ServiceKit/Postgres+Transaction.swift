import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, answering with the body's own error (a handler's
    /// BusError: NOT_FOUND, FAILED_PRECONDITION, …) once the rollback worked,
    /// instead of PostgresNIO's wrapper, which the bus would report as INTERNAL.
    public func transaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let bodyError = error.closureError, error.rollbackError == nil { throw bodyError }
            throw error
        }
    }
}
