//! A result as an Arrow IPC stream (`rowsetBase64`) to rows. Snowflake's Arrow format writes
//! `NUMBER` as integers (with the scale in the field's metadata), text as UTF-8, and timestamps
//! as structs of epoch seconds and fraction; catalog queries read text, numbers and booleans,
//! and anything else arrives as text of its debug form rather than failing the query.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use base64::Engine;
use omrun_sdk::sql::{Row, Value};

/// Decodes `encoded` (base64 of an Arrow IPC stream) into rows.
pub fn rows(encoded: &str) -> Result<Vec<Row>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| format!("Snowflake's Arrow result is not base64: {e}"))?;
    let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None)
        .map_err(|e| format!("Snowflake's Arrow result: {e}"))?;
    let mut rows = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format!("Snowflake's Arrow result: {e}"))?;
        append(&batch, &mut rows);
    }
    Ok(rows)
}

fn append(batch: &RecordBatch, rows: &mut Vec<Row>) {
    let scales: Vec<i64> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| {
            f.metadata()
                .get("scale")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    for i in 0..batch.num_rows() {
        let values = batch
            .columns()
            .iter()
            .zip(&scales)
            .map(|(column, scale)| value(column, i, *scale))
            .collect();
        rows.push(Row::new(values));
    }
}

/// Row `i` of `column`; `scale` is Snowflake's for a `NUMBER` written as an integer.
fn value(column: &ArrayRef, i: usize, scale: i64) -> Value {
    if column.is_null(i) {
        return Value::Null;
    }
    let integer = |n: i64| match scale {
        0 => Value::Integer(n),
        s => Value::Float(n as f64 / 10f64.powi(s as i32)),
    };
    match column.data_type() {
        DataType::Utf8 => Value::Text(column.as_string::<i32>().value(i).to_owned()),
        DataType::LargeUtf8 => Value::Text(column.as_string::<i64>().value(i).to_owned()),
        DataType::Utf8View => Value::Text(column.as_string_view().value(i).to_owned()),
        DataType::Boolean => Value::Boolean(column.as_boolean().value(i)),
        DataType::Int8 => integer(column.as_primitive::<Int8Type>().value(i).into()),
        DataType::Int16 => integer(column.as_primitive::<Int16Type>().value(i).into()),
        DataType::Int32 => integer(column.as_primitive::<Int32Type>().value(i).into()),
        DataType::Int64 => integer(column.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => integer(column.as_primitive::<UInt8Type>().value(i).into()),
        DataType::UInt16 => integer(column.as_primitive::<UInt16Type>().value(i).into()),
        DataType::UInt32 => integer(column.as_primitive::<UInt32Type>().value(i).into()),
        DataType::UInt64 => integer(column.as_primitive::<UInt64Type>().value(i) as i64),
        DataType::Float32 => Value::Float(column.as_primitive::<Float32Type>().value(i).into()),
        DataType::Float64 => Value::Float(column.as_primitive::<Float64Type>().value(i)),
        DataType::Decimal128(_, s) => {
            let n = column
                .as_primitive::<arrow_array::types::Decimal128Type>()
                .value(i);
            match s {
                0 => Value::Integer(n as i64),
                s => Value::Float(n as f64 / 10f64.powi(*s as i32)),
            }
        }
        DataType::Binary => Value::Bytes(column.as_binary::<i32>().value(i).to_vec()),
        _ => Value::Text(format!("{:?}", column.slice(i, 1))),
    }
}
