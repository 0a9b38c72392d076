//! Network printers: ESC/POS over a raw TCP socket (port 9100), the way receipt and kitchen
//! printers are driven on a shop's network.
//!
//! Raw printing has no acknowledgement: once a byte has left, the printer may print. So a
//! print is two steps a caller can record between — [`connect`] (nothing sent yet: safe to
//! try again later) and [`Connection::send`] (after which a failure means "may have
//! printed") — and the receipt job records the first before taking the second.

pub mod codepage;
pub mod escpos;

use crema_shared::printer::PrinterAddress;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// How long a printer has to answer.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a receipt may take to go out (a printer out of paper stops reading).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// Nothing was sent: the printer is off, unplugged or unknown.
    #[error("the printer at {0} did not answer: {1}")]
    Unreachable(String, String),
    /// Some of the receipt may have reached the printer.
    #[error("the connection to the printer at {0} broke while printing: {1}")]
    CutOff(String, String),
}

/// A printer that answered and has been sent nothing yet.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    address: PrinterAddress,
}

/// Connects to the printer at `address`.
pub async fn connect(address: &PrinterAddress) -> Result<Connection, PrintError> {
    let unreachable = |reason: String| PrintError::Unreachable(address.to_string(), reason);
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(address.socket()))
        .await
        .map_err(|_| unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))?
        .map_err(|e| unreachable(e.to_string()))?;
    Ok(Connection { stream, address: address.clone() })
}

impl Connection {
    /// Sends `bytes` and closes the connection once the printer has taken them all.
    pub async fn send(mut self, bytes: &[u8]) -> Result<(), PrintError> {
        let address = self.address.to_string();
        let sent = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await?;
            self.stream.shutdown().await
        };
        tokio::time::timeout(SEND_TIMEOUT, sent)
            .await
            .map_err(|_| PrintError::CutOff(address.clone(), format!("not taken within {} s", SEND_TIMEOUT.as_secs())))?
            .map_err(|e| PrintError::CutOff(address, e.to_string()))
    }
}
