"""chart tabs, change review, settings, documents (issue 5)

Revision ID: 0002
Revises: 0001
Basic gains pronouns, sex, gender identity, "may receive texts" flags and a time zone;
the other tabs are JSON documents with their own versions; revisions gain their tab and
typed values; saves become reviewable batches; documents name blobs in the blob store.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pronouns', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('sex', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('gender_identity', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('phone_mobile_texts', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('phone_home_texts', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('phone_work_texts', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))

    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tab', sa.String(length=20), nullable=False,
                                      server_default='basic'))
        batch_op.add_column(sa.Column('old_json', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('new_json', sa.JSON(), nullable=True))

    op.create_table('chart_tabs',
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('tab', sa.String(length=20), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', 'tab')
    )
    op.create_index('ix_chart_tabs_practice_id', 'chart_tabs', ['practice_id'])

    op.create_table('change_batches',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('tab', sa.String(length=20), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=36), nullable=True),
    sa.Column('reverts_revision_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_change_batches_review', 'change_batches',
                    ['practice_id', 'reviewed_at', 'created_at'])
    op.create_index('ix_change_batches_client_id', 'change_batches', ['client_id'])

    op.create_table('practice_settings',
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('allow_clients_update_insurance', sa.Boolean(), nullable=False),
    sa.Column('client_uploads_enabled', sa.Boolean(), nullable=False),
    sa.Column('extra_fields', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('practice_id')
    )

    op.create_table('document_types',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('show_in_portal', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_document_types_practice_id', 'document_types', ['practice_id'])

    op.create_table('documents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=True),
    sa.Column('contact_id', sa.String(length=36), nullable=True),
    sa.Column('type_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('blob_key', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('uploaded_by_kind', sa.String(length=20), nullable=False),
    sa.Column('uploaded_by_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['type_id'], ['document_types.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('blob_key')
    )
    op.create_index('ix_documents_practice_client', 'documents',
                    ['practice_id', 'client_id', 'created_at'])

    op.create_table('leases',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade():
    op.drop_table('leases')
    op.drop_index('ix_documents_practice_client', table_name='documents')
    op.drop_table('documents')
    op.drop_index('ix_document_types_practice_id', table_name='document_types')
    op.drop_table('document_types')
    op.drop_table('practice_settings')
    op.drop_index('ix_change_batches_client_id', table_name='change_batches')
    op.drop_index('ix_change_batches_review', table_name='change_batches')
    op.drop_table('change_batches')
    op.drop_index('ix_chart_tabs_practice_id', table_name='chart_tabs')
    op.drop_table('chart_tabs')
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_column('new_json')
        batch_op.drop_column('old_json')
        batch_op.drop_column('tab')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        for name in ('time_zone', 'phone_work_texts', 'phone_home_texts', 'phone_mobile_texts',
                     'gender_identity', 'sex', 'pronouns'):
            batch_op.drop_column(name)
