//! A parsed type as contract columns: the column it types, and its fields as nested columns for
//! [`NestedColumn::flatten`]. What a connector knows beyond the type string (a field's comment or
//! nullability) it sets itself.

use omrun_sdk::types::{Column, NestedColumn};

use super::ParsedType;

impl ParsedType {
    /// A column of this type: nullable, without name, description or position yet.
    pub fn column(&self) -> Column {
        Column {
            name: String::new(),
            data_type: self.data_type,
            data_type_display: self.display.clone(),
            array_data_type: self.array_data_type,
            data_length: self.data_length,
            precision: self.precision,
            scale: self.scale,
            nullable: true,
            ordinal_position: 0,
            description: None,
            parent: None,
            tags: vec![],
        }
    }

    /// Its fields (see [`ParsedType::children`]) as nested columns, each with its own, named and
    /// typed as the parser names and types them: nullable (a type string says nothing of it),
    /// without description; their positions are [`NestedColumn::flatten`]'s.
    pub fn nested_fields(&self) -> Vec<NestedColumn> {
        self.fields()
            .iter()
            .map(|f| {
                let column = Column {
                    name: f.name.clone(),
                    ..f.field_type.column()
                };
                NestedColumn::new(column, f.field_type.nested_fields())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use omrun_sdk::types::DataType;

    use super::super::parse;

    #[test]
    fn fields_at_any_depth_in_order() {
        let t = parse("array<struct<a:int,b:struct<c:varchar(3)>,d:map<string,int>>>").unwrap();
        let column = t.column();
        assert_eq!(
            (column.data_type, column.array_data_type, column.nullable),
            (DataType::Array, Some(DataType::Struct), true)
        );
        let fields = t.nested_fields();
        let names: Vec<&str> = fields.iter().map(|f| f.column.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "d"]);
        let c = &fields[1].fields[0].column;
        assert_eq!(
            (c.name.as_str(), c.data_type, c.data_length),
            ("c", DataType::Varchar, Some(3))
        );
        // A map has no children, whatever its values.
        assert!(fields[2].fields.is_empty());
        assert!(parse("int").unwrap().nested_fields().is_empty());
    }
}
