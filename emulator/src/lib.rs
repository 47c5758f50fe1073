//! A local emulator of the SAP Open Connectors platform API.
