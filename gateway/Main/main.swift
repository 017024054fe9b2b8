import GatewayApp

await GatewayMain.run()
