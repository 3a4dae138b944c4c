// The tables of migrations/{sqlite,postgres}; both backends share this one schema.

diesel::table! {
    councils (id) {
        id -> Text,
        name -> Text,
        seats -> Integer,
        created_at -> Timestamp,
        parent_id -> Nullable<Text>,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        council_id -> Nullable<Text>,
        username -> Text,
        full_name -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        is_chair -> Bool,
        is_delegate -> Bool,
        is_auditor -> Bool,
        created_at -> Timestamp,
        token_version -> Integer,
        active -> Bool,
        is_supervisor -> Bool,
    }
}

diesel::table! {
    votes (id) {
        id -> Text,
        council_id -> Text,
        title -> Text,
        kind -> Text,
        percent_base -> Text,
        state -> Text,
        created_at -> Timestamp,
        opened_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        secrecy -> Text,
        committee_id -> Nullable<Text>,
        manifest_hash -> Nullable<Text>,
        follow_up_of -> Nullable<Text>,
        public_at -> Nullable<Timestamp>,
        exempt -> Text,
    }
}

diesel::table! {
    subjects (id) {
        id -> Text,
        vote_id -> Text,
        ordinal -> Integer,
        full_name -> Text,
        positions -> Text,
    }
}

diesel::table! {
    electors (vote_id, member_id) {
        vote_id -> Text,
        member_id -> Text,
        has_cast -> Bool,
        ballot_id -> Nullable<Text>,
    }
}

diesel::table! {
    ballots (id) {
        id -> Text,
        vote_id -> Text,
        marks -> Text,
    }
}

diesel::table! {
    tallies (vote_id) {
        vote_id -> Text,
        body -> Text,
    }
}

diesel::table! {
    vote_events (vote_id, seq) {
        vote_id -> Text,
        seq -> Integer,
        kind -> Text,
        occurred_at -> Timestamp,
        actor_id -> Text,
        actor_username -> Text,
        actor_full_name -> Text,
        counts -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    records (vote_id) {
        vote_id -> Text,
        body -> Text,
        signature -> Text,
    }
}

diesel::table! {
    subject_counts (vote_id, subject_id, choice) {
        vote_id -> Text,
        subject_id -> Text,
        choice -> Text,
        total -> Integer,
    }
}

diesel::joinable!(members -> councils (council_id));
diesel::joinable!(votes -> councils (council_id));
diesel::joinable!(subjects -> votes (vote_id));
diesel::joinable!(electors -> votes (vote_id));
diesel::joinable!(electors -> members (member_id));
diesel::joinable!(ballots -> votes (vote_id));
diesel::joinable!(tallies -> votes (vote_id));
diesel::joinable!(vote_events -> votes (vote_id));
diesel::joinable!(records -> votes (vote_id));
diesel::joinable!(committee_members -> members (member_id));
diesel::joinable!(committee_members -> committees (committee_id));

diesel::allow_tables_to_appear_in_same_query!(
    councils,
    members,
    votes,
    subjects,
    electors,
    ballots,
    tallies,
    vote_events,
    records,
    committees,
    committee_members,
    committee_shares,
    encrypted_ballots,
    encrypted_sums,
    partial_decryptions,
);

diesel::table! {
    committees (id) {
        id -> Text,
        council_id -> Text,
        threshold -> Integer,
        size -> Integer,
        state -> Text,
        joint_key -> Nullable<Text>,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    committee_members (committee_id, position) {
        committee_id -> Text,
        position -> Integer,
        member_id -> Text,
        sealing_key -> Nullable<Text>,
        sealing_proof -> Nullable<Text>,
        commitment_hash -> Nullable<Text>,
        commitments -> Nullable<Text>,
        proofs -> Nullable<Text>,
        confirmation -> Nullable<Text>,
    }
}

diesel::table! {
    committee_shares (committee_id, sender, recipient) {
        committee_id -> Text,
        sender -> Integer,
        recipient -> Integer,
        sealed -> Text,
    }
}

diesel::table! {
    encrypted_ballots (id) {
        id -> Text,
        vote_id -> Text,
        ballot -> Text,
        cells_hash -> Text,
        tracking_code -> Text,
    }
}

diesel::table! {
    encrypted_sums (vote_id) {
        vote_id -> Text,
        ballots -> Integer,
        sums -> Text,
    }
}

diesel::table! {
    partial_decryptions (vote_id, position) {
        vote_id -> Text,
        position -> Integer,
        shares -> Text,
    }
}
