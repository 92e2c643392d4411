//! Clients: a person, or a family (household) with members. Updates are optimistic: the caller
//! names the version they saw (the API's If-Match) and a stale one is refused.

use chrono::NaiveDate;
use diesel::prelude::*;
use opora_domain::access::{sees_client, ClientScope};
use opora_domain::clients::{self as rules, MemberFacts};
use opora_domain::directory::check_unit_in_scope;
use opora_domain::events::{ClientSnapshot, DomainEvent, MemberSnapshot, PhoneSnapshot};
use opora_domain::labels::ReferenceList;
use opora_domain::names::name_key;
use opora_domain::{Action, ClientKind, FamilyRelation, PhoneKind, Sex};

use crate::events::{self, Subject};
use crate::models::{CategoryRow, Client, ClientRow, MemberRow, PhoneRow};
use crate::reference::CodeStatus;
use crate::schema::{client_categories, client_members, client_phones, clients};
use crate::{
    new_id, now, AnyConnection, Caller, Page, PageRequest, Store, StoreError, StoreResult,
};

/// A family member as given by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberInput {
    pub full_name: String,
    pub relation: FamilyRelation,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub is_child: bool,
    /// A child's school or kindergarten (children only).
    pub school: Option<SchoolInput>,
}

/// A child's school or kindergarten: its name, and the class or group.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolInput {
    pub name: String,
    pub class_group: Option<String>,
}

/// A phone as given by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct PhoneInput {
    pub number: String,
    pub kind: PhoneKind,
    pub note: Option<String>,
}

/// What a client is registered with besides [`NewClient`]: categories (codes of the
/// client-category classifier, built-in or added, active) and phones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientExtras {
    pub categories: Vec<String>,
    pub phones: Vec<PhoneInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewClient {
    /// `None`: the caller's own unit.
    pub unit_id: Option<String>,
    pub kind: ClientKind,
    pub display_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: Option<String>,
    pub members: Vec<MemberInput>,
}

/// A partial update: `None` leaves a field as it is; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientChanges {
    pub display_name: Option<String>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub sex: Option<Option<Sex>>,
    pub phone: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub district: Option<Option<String>>,
    /// Replaces the whole member list when given.
    pub members: Option<Vec<MemberInput>>,
    /// Replaces the categories when given.
    pub categories: Option<Vec<String>>,
    /// Replaces the phones when given.
    pub phones: Option<Vec<PhoneInput>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientFilter {
    pub kind: Option<ClientKind>,
    pub unit_id: Option<String>,
    /// Case-insensitive substring of the display name.
    pub name: Option<String>,
    pub district: Option<String>,
    /// A client-category code: only clients with that category.
    pub category: Option<String>,
}

/// Checks category codes against the client-category classifier: each must be built in or added
/// and active, and given once. A deactivated code the client already has (`kept`) may stay.
fn check_categories(
    conn: &mut AnyConnection,
    codes: &[String],
    kept: &[String],
) -> StoreResult<()> {
    let list = ReferenceList::ClientCategories;
    let mut statuses = Vec::with_capacity(codes.len());
    for code in codes {
        let status = if kept.contains(code) {
            CodeStatus::Active
        } else {
            crate::reference::code_status(conn, list, code)?
        };
        statuses.push((code.as_str(), status));
    }
    rules::check_categories(&statuses).map_err(StoreError::refused)
}

fn check_members(members: &[MemberInput]) -> StoreResult<()> {
    let facts: Vec<MemberFacts> = members
        .iter()
        .map(|m| MemberFacts {
            is_child: m.is_child,
            has_school: m.school.is_some(),
        })
        .collect();
    rules::check_members(&facts).map_err(StoreError::refused)
}

fn write_categories(
    conn: &mut AnyConnection,
    client: &ClientRow,
    codes: &[String],
) -> StoreResult<()> {
    diesel::delete(client_categories::table.filter(client_categories::client_id.eq(&client.id)))
        .execute(conn)?;
    for (i, code) in codes.iter().enumerate() {
        diesel::insert_into(client_categories::table)
            .values(CategoryRow {
                client_id: client.id.clone(),
                code: code.clone(),
                unit_id: client.unit_id.clone(),
                position: i32::try_from(i).unwrap_or(i32::MAX),
            })
            .execute(conn)?;
    }
    Ok(())
}

fn write_phones(
    conn: &mut AnyConnection,
    client: &ClientRow,
    phones: &[PhoneInput],
) -> StoreResult<Vec<PhoneRow>> {
    diesel::delete(client_phones::table.filter(client_phones::client_id.eq(&client.id)))
        .execute(conn)?;
    let rows: Vec<PhoneRow> = phones
        .iter()
        .enumerate()
        .map(|(i, p)| PhoneRow {
            client_id: client.id.clone(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            unit_id: client.unit_id.clone(),
            number: p.number.clone(),
            kind: p.kind.code().to_owned(),
            note: p.note.clone(),
        })
        .collect();
    for row in &rows {
        diesel::insert_into(client_phones::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(rows)
}

/// A client row with its members, categories and phones.
fn with_details(conn: &mut AnyConnection, client: ClientRow) -> StoreResult<Client> {
    let members = client_members::table
        .filter(client_members::client_id.eq(&client.id))
        .order(client_members::position)
        .select(MemberRow::as_select())
        .load(conn)?;
    let categories = client_categories::table
        .filter(client_categories::client_id.eq(&client.id))
        .order(client_categories::position)
        .select(client_categories::code)
        .load(conn)?;
    let phones = client_phones::table
        .filter(client_phones::client_id.eq(&client.id))
        .order(client_phones::position)
        .select(PhoneRow::as_select())
        .load(conn)?;
    Ok(Client {
        client,
        members,
        categories,
        phones,
    })
}

fn insert_members(
    conn: &mut AnyConnection,
    client: &ClientRow,
    members: &[MemberInput],
) -> StoreResult<Vec<MemberRow>> {
    let rows: Vec<MemberRow> = members
        .iter()
        .enumerate()
        .map(|(i, m)| MemberRow {
            id: new_id(),
            client_id: client.id.clone(),
            unit_id: client.unit_id.clone(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            full_name: m.full_name.clone(),
            relation: m.relation.code().to_owned(),
            date_of_birth: m.date_of_birth,
            sex: m.sex.map(|s| s.code().to_owned()),
            is_child: m.is_child,
            name_key: name_key(&m.full_name),
            school_name: m.school.as_ref().map(|s| s.name.clone()),
            school_class: m.school.as_ref().and_then(|s| s.class_group.clone()),
        })
        .collect();
    for row in &rows {
        diesel::insert_into(client_members::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(rows)
}

pub(crate) fn load_client(conn: &mut AnyConnection, id: &str) -> StoreResult<Client> {
    let client: ClientRow = clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)?;
    with_details(conn, client)
}

fn snapshot(client: &Client) -> ClientSnapshot {
    let c = &client.client;
    ClientSnapshot {
        display_name: c.display_name.clone(),
        date_of_birth: c.date_of_birth,
        sex: c.sex.clone(),
        phone: c.phone.clone(),
        address: c.address.clone(),
        district: c.district.clone(),
        members: client
            .members
            .iter()
            .map(|m| MemberSnapshot {
                full_name: m.full_name.clone(),
                relation: m.relation.clone(),
                date_of_birth: m.date_of_birth,
                sex: m.sex.clone(),
                is_child: m.is_child,
                school_name: m.school_name.clone(),
                school_class: m.school_class.clone(),
            })
            .collect(),
        categories: client.categories.clone(),
        phones: client
            .phones
            .iter()
            .map(|p| PhoneSnapshot {
                number: p.number.clone(),
                kind: p.kind.clone(),
                note: p.note.clone(),
            })
            .collect(),
    }
}

impl Store {
    pub fn create_client(&self, caller: &Caller, new: NewClient) -> StoreResult<Client> {
        self.create_client_with(caller, new, ClientExtras::default())
    }

    /// Registers a client with categories and phones.
    pub fn create_client_with(
        &self,
        caller: &Caller,
        new: NewClient,
        extras: ClientExtras,
    ) -> StoreResult<Client> {
        let unit_id = new
            .unit_id
            .clone()
            .unwrap_or_else(|| caller.unit_id.clone());
        check_unit_in_scope("unit_id", caller.sees_unit(&unit_id)).map_err(StoreError::refused)?;
        caller.require(Action::EditClient)?;
        check_members(&new.members)?;
        let key = name_key(&new.display_name);
        self.write(|conn| {
            check_categories(conn, &extras.categories, &[])?;
            let at = now();
            let row = ClientRow {
                id: new_id(),
                unit_id,
                kind: new.kind.code().to_owned(),
                display_name: new.display_name,
                date_of_birth: new.date_of_birth,
                sex: new.sex.map(|s| s.code().to_owned()),
                phone: new.phone,
                address: new.address,
                district: new.district,
                version: 1,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                updated_at: at,
                name_key: key,
            };
            diesel::insert_into(clients::table)
                .values(&row)
                .execute(conn)?;
            let members = insert_members(conn, &row, &new.members)?;
            write_categories(conn, &row, &extras.categories)?;
            let phones = write_phones(conn, &row, &extras.phones)?;
            let client = Client {
                client: row,
                members,
                categories: extras.categories,
                phones,
            };
            crate::duplicates::write_name_words(conn, &client)?;
            events::record(
                conn,
                &subject(&client.client),
                DomainEvent::ClientCreated {
                    after: snapshot(&client),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(client)
        })
    }

    pub fn get_client(&self, caller: &Caller, id: &str) -> StoreResult<Client> {
        self.read_recorded(|conn, looks| {
            let client = load_client(conn, id)?;
            let key_worker_ids: Vec<String> = crate::schema::cases::table
                .filter(crate::schema::cases::client_id.eq(id))
                .select(crate::schema::cases::key_worker_id)
                .load(conn)?;
            let scope = ClientScope {
                unit_id: &client.client.unit_id,
                key_worker_ids: &key_worker_ids,
            };
            if !sees_client(&caller.viewer(), &scope) {
                return Err(StoreError::NotFound);
            }
            caller.require(Action::ReadCaseRecords)?;
            crate::audit::viewed(looks, caller, "client", id, &client.client.unit_id, None)?;
            Ok(client)
        })
    }

    pub fn list_clients(
        &self,
        caller: &Caller,
        filter: &ClientFilter,
        page: &PageRequest,
    ) -> StoreResult<Page<Client>> {
        caller.require(Action::ReadCaseRecords)?;
        self.read_recorded(|conn, looks| {
            let mut query = clients::table
                .filter(clients::unit_id.eq_any(&caller.scope))
                .select(ClientRow::as_select())
                .order(clients::id)
                .limit(page.fetch_limit())
                .into_boxed();
            if let Some(after) = &page.after {
                query = query.filter(clients::id.gt(after.clone()));
            }
            if let Some(kind) = filter.kind {
                query = query.filter(clients::kind.eq(kind.code()));
            }
            if let Some(unit_id) = &filter.unit_id {
                query = query.filter(clients::unit_id.eq(unit_id.clone()));
            }
            if let Some(district) = &filter.district {
                query = query.filter(clients::district.eq(district.clone()));
            }
            if let Some(category) = &filter.category {
                let ids: Vec<String> = client_categories::table
                    .filter(client_categories::code.eq(category))
                    .filter(client_categories::unit_id.eq_any(&caller.scope))
                    .select(client_categories::client_id)
                    .load(conn)?;
                query = query.filter(clients::id.eq_any(ids));
            }
            if let Some(name) = &filter.name {
                let pattern = format!("%{}%", name.to_lowercase().replace(['%', '_'], ""));
                query = query.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>("LOWER(display_name) LIKE ")
                        .bind::<diesel::sql_types::Text, _>(pattern),
                );
            }
            let rows = query.load(conn)?;
            let page = Page::from_rows(rows, page, |r: &ClientRow| r.id.as_str());
            let mut items = Vec::with_capacity(page.items.len());
            for row in page.items {
                items.push(with_details(conn, row)?);
            }
            crate::audit::listed(
                looks,
                caller,
                "client",
                items
                    .iter()
                    .map(|c: &Client| c.client.id.as_str())
                    .collect(),
            )?;
            Ok(Page {
                items,
                next_cursor: page.next_cursor,
            })
        })
    }

    /// Applies the changes if the client is still at `expected_version`.
    pub fn update_client(
        &self,
        caller: &Caller,
        id: &str,
        expected_version: i64,
        changes: ClientChanges,
    ) -> StoreResult<Client> {
        if let Some(members) = &changes.members {
            check_members(members)?;
        }
        self.write(|conn| {
            let before = load_client(conn, id)?;
            caller.require_on(&before.client.unit_id, Action::EditClient)?;
            if before.client.version != expected_version {
                return Err(StoreError::VersionMismatch {
                    current: before.client.version,
                });
            }
            if let Some(categories) = &changes.categories {
                check_categories(conn, categories, &before.categories)?;
            }
            let mut row = before.client.clone();
            let at = now();
            if let Some(v) = changes.display_name {
                row.name_key = name_key(&v);
                row.display_name = v;
            }
            if let Some(v) = changes.date_of_birth {
                row.date_of_birth = v;
            }
            if let Some(v) = changes.sex {
                row.sex = v.map(|s| s.code().to_owned());
            }
            if let Some(v) = changes.phone {
                row.phone = v;
            }
            if let Some(v) = changes.address {
                row.address = v;
            }
            if let Some(v) = changes.district {
                row.district = v;
            }
            row.version += 1;
            row.updated_at = at;
            let updated = diesel::update(
                clients::table
                    .filter(clients::id.eq(id))
                    .filter(clients::version.eq(expected_version)),
            )
            .set((
                clients::display_name.eq(&row.display_name),
                clients::name_key.eq(&row.name_key),
                clients::date_of_birth.eq(row.date_of_birth),
                clients::sex.eq(&row.sex),
                clients::phone.eq(&row.phone),
                clients::address.eq(&row.address),
                clients::district.eq(&row.district),
                clients::version.eq(row.version),
                clients::updated_at.eq(at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::VersionMismatch {
                    current: clients::table
                        .find(id)
                        .select(clients::version)
                        .first(conn)?,
                })
            })?;
            let members = match changes.members {
                Some(members) => {
                    diesel::delete(client_members::table.filter(client_members::client_id.eq(id)))
                        .execute(conn)?;
                    insert_members(conn, &row, &members)?
                }
                None => before.members.clone(),
            };
            let categories = match changes.categories {
                Some(categories) => {
                    write_categories(conn, &row, &categories)?;
                    categories
                }
                None => before.categories.clone(),
            };
            let phones = match changes.phones {
                Some(phones) => write_phones(conn, &row, &phones)?,
                None => before.phones.clone(),
            };
            let after = Client {
                client: row,
                members,
                categories,
                phones,
            };
            crate::duplicates::write_name_words(conn, &after)?;
            events::record(
                conn,
                &subject(&after.client),
                DomainEvent::ClientUpdated {
                    before: snapshot(&before),
                    after: snapshot(&after),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(after)
        })
    }
}

fn subject(client: &ClientRow) -> Subject {
    Subject {
        unit_id: client.unit_id.clone(),
        client_id: Some(client.id.clone()),
        ..Subject::default()
    }
}
