//! Creates the small SQLite database the README's first command ingests:
//! `cargo run -p omrun --example demo_db -- PATH`. A shop: customers, products, orders, their items,
//! and a view — enough to show tables, views, keys, types and comments-free SQLite as it is.

use rusqlite::Connection;

const SCHEMA: &str = "
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email VARCHAR(200) NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE products (
    sku CHAR(12) PRIMARY KEY,
    title VARCHAR(120) NOT NULL,
    price NUMERIC(10, 2) NOT NULL,
    weight_kg REAL,
    picture BLOB
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    ordered_at DATETIME NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'new'
);
CREATE TABLE order_items (
    order_id INTEGER NOT NULL REFERENCES orders(id),
    sku CHAR(12) NOT NULL REFERENCES products(sku),
    quantity INTEGER NOT NULL,
    PRIMARY KEY (order_id, sku)
);
CREATE VIEW order_totals AS
    SELECT o.id AS order_id, SUM(i.quantity * p.price) AS total
    FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p ON p.sku = i.sku
    GROUP BY o.id;
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: demo_db PATH")?;
    if std::path::Path::new(&path).exists() {
        std::fs::remove_file(&path)?;
    }
    Connection::open(&path)?.execute_batch(SCHEMA)?;
    println!("created {path}");
    Ok(())
}
