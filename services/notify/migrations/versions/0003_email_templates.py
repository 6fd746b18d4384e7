"""a practice's own email templates (issue 11)

Revision ID: 0003_email_templates
Revises: 0002_charts_alerts
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_email_templates'
down_revision = '0002_charts_alerts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_templates',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('practice_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('practice_id', 'kind', name='uq_email_templates_practice_kind')
    )


def downgrade():
    op.drop_table('email_templates')
