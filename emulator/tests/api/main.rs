//! Tests of the emulator over HTTP on 127.0.0.1, one module per platform resource.

mod auth;
mod binary;
mod common;
mod connections;
mod elements;
mod faults;
mod hubs;
mod instances;
mod listing;
mod oauth;
mod settings;
mod webhooks;
