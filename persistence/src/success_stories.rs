//! Success stories (seed 003: told in the client's or the worker's words, free form, and shared
//! only with the client's consent, in its scope). A story may be written at any stage of the case
//! (closure is often when it is told), and the client may withdraw consent at any stage: the story
//! then stays readable in the case but is no longer shareable (`opora_domain::contacts`'s
//! `StoryConsent` rule). Every change writes its event in the same transaction; every read of the
//! list is on the audit chain.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use opora_domain::contacts::{ShareScope, StoryConsent};
use opora_domain::events::DomainEvent;
use opora_domain::Action;

use crate::case_records::{case_for, subject};
use crate::events;
use crate::schema::success_stories;
use crate::{new_id, now, AnyConnection, Caller, Store, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = success_stories)]
pub struct StoryRow {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub title: String,
    pub story: String,
    pub written_by: String,
    pub written_on: NaiveDate,
    pub consent_given_on: Option<NaiveDate>,
    pub consent_given_by: Option<String>,
    pub consent_scope: Option<String>,
    pub consent_withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl StoryRow {
    /// The client's consent as the domain rule reads it, if one is on record.
    pub fn consent(&self) -> Option<StoryConsent> {
        Some(StoryConsent {
            given_on: self.consent_given_on?,
            scope: ShareScope::parse(self.consent_scope.as_deref()?)?,
            withdrawn_on: self.consent_withdrawn_on,
        })
    }

    /// Whether the story may be shared (in the consent's scope): consent given, not withdrawn.
    pub fn shareable(&self) -> bool {
        self.consent().is_some_and(|c| c.shareable())
    }
}

/// The client's consent to share a story.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStoryConsent {
    pub given_on: NaiveDate,
    /// Who consented: the client, or for a child a person with parental responsibility.
    pub given_by: String,
    pub scope: ShareScope,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewStory {
    pub title: String,
    pub story: String,
    /// Who wrote it: the worker, or the client in their own words.
    pub written_by: String,
    pub written_on: NaiveDate,
    pub consent: Option<NewStoryConsent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsentWithdrawal {
    pub withdrawn_on: NaiveDate,
    pub reason: Option<String>,
}

/// For the data-subject export: the success stories of these cases.
pub(crate) fn export_stories(
    conn: &mut AnyConnection,
    case_ids: &[String],
) -> StoreResult<Vec<StoryRow>> {
    Ok(success_stories::table
        .filter(success_stories::case_id.eq_any(case_ids))
        .order(success_stories::id)
        .select(StoryRow::as_select())
        .load(conn)?)
}

/// For retention: replaces the free texts of these cases' success stories.
pub(crate) fn pseudonymise_stories(
    conn: &mut AnyConnection,
    case_ids: &[String],
    replacement: &str,
) -> StoreResult<()> {
    diesel::update(success_stories::table.filter(success_stories::case_id.eq_any(case_ids)))
        .set((
            success_stories::title.eq(replacement),
            success_stories::story.eq(replacement),
            success_stories::written_by.eq(replacement),
            success_stories::withdrawal_reason.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(
        success_stories::table
            .filter(success_stories::case_id.eq_any(case_ids))
            .filter(success_stories::consent_given_by.is_not_null()),
    )
    .set(success_stories::consent_given_by.eq(replacement))
    .execute(conn)?;
    Ok(())
}

impl Store {
    /// Writes a success story, with the client's consent to share it if given.
    pub fn create_story(
        &self,
        caller: &Caller,
        case_id: &str,
        new: NewStory,
    ) -> StoreResult<StoryRow> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::RecordCaseWork)?;
            let at = now();
            let today = at.date();
            opora_domain::contacts::check_new_story(
                new.written_on,
                new.consent.as_ref().map(|c| c.given_on),
                today,
            )
            .map_err(StoreError::refused)?;
            let row = StoryRow {
                id: new_id(),
                case_id: case.id.clone(),
                unit_id: case.unit_id.clone(),
                title: new.title,
                story: new.story,
                written_by: new.written_by,
                written_on: new.written_on,
                consent_given_on: new.consent.as_ref().map(|c| c.given_on),
                consent_given_by: new.consent.as_ref().map(|c| c.given_by.clone()),
                consent_scope: new.consent.as_ref().map(|c| c.scope.code().to_owned()),
                consent_withdrawn_on: None,
                withdrawal_reason: None,
                created_by: caller.actor.staff_id.clone(),
                created_at: at,
                updated_at: at,
            };
            diesel::insert_into(success_stories::table)
                .values(&row)
                .execute(conn)?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::SuccessStoryRecorded {
                    story_id: row.id.clone(),
                    consent_scope: row.consent_scope.clone(),
                    consent_given_on: row.consent_given_on,
                    shareable: row.shareable(),
                },
                &caller.actor.staff_id,
                at,
                None,
            )?;
            Ok(row)
        })
    }

    /// Records that the client withdrew consent: the story stays, no longer shareable.
    pub fn withdraw_story_consent(
        &self,
        caller: &Caller,
        case_id: &str,
        story_id: &str,
        withdrawal: ConsentWithdrawal,
    ) -> StoreResult<StoryRow> {
        self.write(|conn| {
            let case = case_for(conn, caller, case_id, Action::RecordCaseWork)?;
            let mut row: StoryRow = success_stories::table
                .filter(success_stories::id.eq(story_id))
                .filter(success_stories::case_id.eq(&case.id))
                .select(StoryRow::as_select())
                .first(conn)?;
            let at = now();
            opora_domain::contacts::check_consent_withdrawal(
                row.consent().as_ref(),
                withdrawal.withdrawn_on,
                at.date(),
            )
            .map_err(StoreError::refused)?;
            row.consent_withdrawn_on = Some(withdrawal.withdrawn_on);
            row.withdrawal_reason = withdrawal.reason.clone();
            row.updated_at = at;
            let updated = diesel::update(
                success_stories::table
                    .filter(success_stories::id.eq(&row.id))
                    .filter(success_stories::consent_withdrawn_on.is_null()),
            )
            .set((
                success_stories::consent_withdrawn_on.eq(row.consent_withdrawn_on),
                success_stories::withdrawal_reason.eq(&row.withdrawal_reason),
                success_stories::updated_at.eq(at),
            ))
            .execute(conn)?;
            crate::db::compare_and_set(updated, || {
                Ok(StoreError::Conflict(
                    "the consent is already withdrawn".into(),
                ))
            })?;
            events::record(
                conn,
                &subject(&case),
                DomainEvent::SuccessStoryConsentWithdrawn {
                    story_id: row.id.clone(),
                    withdrawn_on: row.consent_withdrawn_on,
                    shareable: false,
                },
                &caller.actor.staff_id,
                at,
                withdrawal.reason,
            )?;
            Ok(row)
        })
    }

    /// The case's success stories, oldest first (withdrawn ones included, not shareable).
    pub fn list_stories(&self, caller: &Caller, case_id: &str) -> StoreResult<Vec<StoryRow>> {
        self.read_recorded(|conn, looks| {
            let case = case_for(conn, caller, case_id, Action::ReadCaseRecords)?;
            crate::audit::viewed(
                looks,
                caller,
                "case_success_stories",
                case_id,
                &case.unit_id,
                Some(case_id),
            )?;
            Ok(success_stories::table
                .filter(success_stories::case_id.eq(&case.id))
                .order(success_stories::id)
                .select(StoryRow::as_select())
                .load(conn)?)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::contacts::day_start;

    fn story(scope: Option<&str>, withdrawn: bool) -> StoryRow {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        StoryRow {
            id: "s".into(),
            case_id: "c".into(),
            unit_id: "u".into(),
            title: "t".into(),
            story: "s".into(),
            written_by: "w".into(),
            written_on: day,
            consent_given_on: scope.map(|_| day),
            consent_given_by: scope.map(|_| "client".to_owned()),
            consent_scope: scope.map(str::to_owned),
            consent_withdrawn_on: withdrawn.then_some(day),
            withdrawal_reason: None,
            created_by: "w".into(),
            created_at: day_start(day),
            updated_at: day_start(day),
        }
    }

    #[test]
    fn a_story_is_shareable_only_with_a_consent_not_withdrawn() {
        assert!(story(Some("internal"), false).shareable());
        assert!(!story(Some("publication"), true).shareable());
        assert!(!story(None, false).shareable());
        assert!(!story(Some("no_such_scope"), false).shareable());
    }
}
