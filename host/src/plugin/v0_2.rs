//! Contract `omrun:connector@0.2.0`: 0.1.0 plus dashboards, charts and dashboard data models.

super::bindings::contract! {
    wit: "../wit/v0.2.0",
    version: "0.2.0",
    kinds: [Database, DatabaseSchema, Table, StoredProcedure, Dashboard, Chart, DashboardDataModel],
    entities: {
        types::Entity::Dashboard(d) => model::Entity::Dashboard(dashboard(d)),
        types::Entity::Chart(c) => model::Entity::Chart(chart(c)),
        types::Entity::DashboardDataModel(m) => model::Entity::DashboardDataModel(data_model(m)),
    }
}

fn dashboard(d: types::Dashboard) -> model::Dashboard {
    model::Dashboard {
        name: d.name,
        display_name: d.display_name,
        description: d.description,
        dashboard_type: match d.dashboard_type {
            types::DashboardType::Dashboard => "Dashboard",
            types::DashboardType::Report => "Report",
        },
        source_url: d.source_url,
        project: d.project,
        charts: d.charts,
        data_models: d.data_models,
        owners: d.owners,
    }
}

fn chart(c: types::Chart) -> model::Chart {
    use types::ChartType as C;
    model::Chart {
        name: c.name,
        display_name: c.display_name,
        description: c.description,
        chart_type: match c.chart_type {
            C::Line => "Line",
            C::Table => "Table",
            C::Bar => "Bar",
            C::Area => "Area",
            C::Pie => "Pie",
            C::Histogram => "Histogram",
            C::Scatter => "Scatter",
            C::Text => "Text",
            C::BoxPlot => "BoxPlot",
            C::SanKey => "SanKey",
            C::Gauge => "Gauge",
            C::Map => "Map",
            C::Graph => "Graph",
            C::Heatmap => "Heatmap",
            C::Timeline => "Timeline",
            C::Other => "Other",
        },
        source_url: c.source_url,
    }
}

fn data_model(m: types::DashboardDataModel) -> model::DashboardDataModel {
    use types::DataModelType as T;
    model::DashboardDataModel {
        name: m.name,
        display_name: m.display_name,
        description: m.description,
        data_model_type: match m.data_model_type {
            T::TableauDataModel => "TableauDataModel",
            T::TableauPublishedDatasource => "TableauPublishedDatasource",
            T::TableauEmbeddedDatasource => "TableauEmbeddedDatasource",
            T::SupersetDataModel => "SupersetDataModel",
            T::MetabaseDataModel => "MetabaseDataModel",
            T::ModeDataModel => "ModeDataModel",
            T::LookMlView => "LookMlView",
            T::LookMlExplore => "LookMlExplore",
            T::PowerBiDataModel => "PowerBIDataModel",
            T::QlikDataModel => "QlikDataModel",
            T::QuickSightDataModel => "QuickSightDataModel",
            T::SigmaDataModel => "SigmaDataModel",
            T::PowerBiDataFlow => "PowerBIDataFlow",
            T::PowerBiDatamart => "PowerBIDatamart",
            T::MicroStrategyDataset => "MicroStrategyDataset",
            T::ThoughtSpotDataModel => "ThoughtSpotDataModel",
            T::SapS4HanaCdsView => "SapS4HanaCdsView",
            T::SsrsDataModel => "SsrsDataModel",
            T::OmniDataModel => "OmniDataModel",
        },
        columns: m.columns.into_iter().map(column).collect(),
        sql: m.sql,
        project: m.project,
        source_url: m.source_url,
    }
}
