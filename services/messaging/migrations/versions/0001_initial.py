"""initial messaging schema: conversations, participants, messages, read receipts,
staff-only notes, the switches, the assigned clinicians' read copy, the kernel tables

Revision ID: 0001
Revises:
Times are naive UTC DateTime columns (services.common.types.UTCDateTime on the model
side); the kernel tables (outbox, inbox, failed_deliveries) are as in kernel_models.
"""
import sqlalchemy as sa
from alembic import op

from services.common.migrations import create_kernel_tables, drop_kernel_tables

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'conversations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('subject', sa.String(length=120), nullable=True),
        sa.Column('started_by_kind', sa.String(length=20), nullable=False),
        sa.Column('started_by_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_message_at', sa.DateTime(), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_conversations_practice_client', 'conversations',
                    ['practice_id', 'client_id'])
    op.create_table(
        'participants',
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('party_kind', sa.String(length=20), nullable=False),
        sa.Column('party_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.Column('added_by', sa.String(length=36), nullable=True),
        sa.Column('archived_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('conversation_id', 'party_kind', 'party_id'))
    op.create_index('ix_participants_party', 'participants', ['party_kind', 'party_id'])
    op.create_table(
        'read_receipts',
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('party_kind', sa.String(length=20), nullable=False),
        sa.Column('party_id', sa.String(length=36), nullable=False),
        sa.Column('last_read_seq', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('conversation_id', 'party_kind', 'party_id'))
    op.create_table(
        'messages',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('sender_kind', sa.String(length=20), nullable=False),
        sa.Column('sender_id', sa.String(length=36), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('conversation_id', 'seq', name='uq_messages_seq'))
    op.create_table(
        'staff_notes',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('author_id', sa.String(length=36), nullable=False),
        sa.Column('author_name', sa.String(length=200), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_staff_notes_conversation', 'staff_notes',
                    ['conversation_id', 'created_at'])
    op.create_table(
        'practice_settings',
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('emergency_notice', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint('practice_id'))
    op.create_table(
        'client_settings',
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint('practice_id', 'client_id'))
    op.create_table(
        'assignments',
        sa.Column('practice_id', sa.String(length=36), nullable=False),
        sa.Column('client_id', sa.String(length=36), nullable=False),
        sa.Column('clinician_id', sa.String(length=36), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.Column('assigned_by', sa.String(length=36), nullable=True),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('practice_id', 'client_id', 'clinician_id'))
    create_kernel_tables()


def downgrade():
    drop_kernel_tables()
    op.drop_table('assignments')
    op.drop_table('client_settings')
    op.drop_table('practice_settings')
    op.drop_index('ix_staff_notes_conversation', table_name='staff_notes')
    op.drop_table('staff_notes')
    op.drop_table('messages')
    op.drop_table('read_receipts')
    op.drop_index('ix_participants_party', table_name='participants')
    op.drop_table('participants')
    op.drop_index('ix_conversations_practice_client', table_name='conversations')
    op.drop_table('conversations')
