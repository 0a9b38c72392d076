//! `crema.v1.MenuService`: the menu, read once or followed live. Public, as on REST.

use super::messages;
use super::pb::crema::v1::{self as pb, menu_service_server::MenuService};
use crate::service;
use crate::state::AppState;
use futures::stream::BoxStream;
use tonic::{Request, Response, Status};

pub struct Menu {
    pub state: AppState,
}

#[tonic::async_trait]
impl MenuService for Menu {
    async fn get_menu(&self, _request: Request<pb::GetMenuRequest>) -> Result<Response<pb::Menu>, Status> {
        let view = service::menu::view(&self.state).await.map_err(super::status::service)?;
        Ok(Response::new(messages::menu(view)))
    }

    type WatchMenuStream = BoxStream<'static, Result<pb::Menu, Status>>;

    async fn watch_menu(
        &self,
        _request: Request<pb::WatchMenuRequest>,
    ) -> Result<Response<Self::WatchMenuStream>, Status> {
        super::watch::menu(&self.state).await.map(Response::new)
    }
}
